using System.Globalization;
using System.Text;

namespace MfaHost.Tests.Fuzzing;

/// <summary>One generated frame: its bytes (no line feed) and the id it was given, as JSON text.</summary>
internal sealed record GeneratedFrame(byte[] Bytes, string IdText);

/// <summary>
/// Grammar-aware JSON-RPC frames: the members of a request (jsonrpc, id, method, params and strangers) in any order, with
/// values drawn from what the protocol expects and what it must survive (wrong types, hostile strings, deep nesting,
/// huge numbers), then byte mutations. The id token is never mutated, so an answer that carries an id can be matched to
/// its frame.
/// </summary>
internal sealed class FrameGenerator(int seed, string plugin)
{
    private static readonly string[] Methods = ["authenticate", "authenticate", "authenticate", "health", "plugins", "session_ended", "ticket_verify", "token_create", "ticket", "stats", "nope", "", "AUTHENTICATE", "health\\u0000"];

    private static readonly string[] Fields = ["plugin", "session_id", "username", "mfa_identity", "mfa_password", "password", "answer", "client_ip", "protocol", "target", "attributes", "user_id", "applid", "ticket", "session_token", "ttl_s"];

    private readonly FuzzInput _input = new(seed);

    public GeneratedFrame Next(int index)
    {
        var random = _input.Random;
        var idText = random.Next(2) == 0 ? index.ToString(CultureInfo.InvariantCulture) : $"\"fz-{index.ToString(CultureInfo.InvariantCulture)}\"";
        var members = new List<string>();
        if (_input.Chance(0.95))
        {
            members.Add("\"jsonrpc\":" + (_input.Chance(0.95) ? "\"2.0\"" : Value(2)));
        }

        if (_input.Chance(0.95))
        {
            members.Add("\"method\":" + (_input.Chance(0.9) ? $"\"{_input.Pick(Methods)}\"" : Value(2)));
        }

        if (_input.Chance(0.85))
        {
            members.Add("\"params\":" + (_input.Chance(0.85) ? Params() : Value(3)));
        }

        for (var extra = random.Next(0, 3); extra > 0; extra--)
        {
            members.Add($"\"{_input.StringContent()}\":" + Value(3));
        }

        // Shuffle, then put the id somewhere: its position is known, so mutations go around it.
        members = [.. members.OrderBy(_ => random.Next())];
        var idAt = random.Next(members.Count + 1);
        var before = "{" + string.Join(",", members.Take(idAt)) + (idAt > 0 ? "," : string.Empty) + "\"id\":";
        var after = (idAt < members.Count ? "," : string.Empty) + string.Join(",", members.Skip(idAt)) + "}";
        // The bytes right around the id ("id": before it, the next , or } after it) stay too: a digit or a minus sign
        // next to a numeric id would make it another number.
        var head = Encoding.UTF8.GetBytes(before[..^5]);
        var tail = Encoding.UTF8.GetBytes(after[1..]);
        if (_input.Chance(0.5))
        {
            if (_input.Chance(0.5))
            {
                head = _input.Mutate(head);
            }
            else
            {
                tail = _input.Mutate(tail);
            }
        }

        return new GeneratedFrame([.. head, .. Encoding.UTF8.GetBytes(before[^5..] + idText + after[..1]), .. tail], idText);
    }

    private string Params()
    {
        var random = _input.Random;
        var fields = new List<string>
        {
            $"\"plugin\":\"{(_input.Chance(0.8) ? plugin : _input.StringContent())}\"",
            $"\"session_id\":\"fz-s{random.Next(50).ToString(CultureInfo.InvariantCulture)}\"",
            $"\"username\":\"{(_input.Chance(0.5) ? "alice" : _input.StringContent())}\"",
        };
        for (var n = random.Next(0, 4); n > 0; n--)
        {
            var field = _input.Pick(Fields);
            fields.Add($"\"{field}\":" + (field == "attributes" && _input.Chance(0.5) ? $"{{\"k\":\"{_input.StringContent()}\"}}" : Value(2)));
        }

        if (_input.Chance(0.2))
        {
            fields.RemoveAt(random.Next(fields.Count));
        }

        return "{" + string.Join(",", fields.OrderBy(_ => random.Next())) + "}";
    }

    private string Value(int depth)
    {
        var random = _input.Random;
        if (_input.Chance(0.003))
        {
            // Deeper than the parser's limit (64).
            var deep = random.Next(60, 80);
            return new string('[', deep) + new string(']', deep);
        }

        switch (random.Next(depth > 0 ? 9 : 7))
        {
            case 0:
            case 1:
            case 2:
                return $"\"{_input.StringContent()}\"";
            case 3:
                return _input.Pick(["0", "-1", "1e999", "-0", "123456789012345678901234567890", "1.5", "2e-400", "01", "-", "1e"]);
            case 4:
                return _input.Pick(["true", "false", "null", "nul", "tru"]);
            case 5:
                return "\"alice\"";
            case 6:
                return "\"\"";
            case 7:
                return "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => Value(depth - 1))) + "]";
            default:
                return "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => $"\"{_input.StringContent()}\":" + Value(depth - 1))) + "}";
        }
    }
}
