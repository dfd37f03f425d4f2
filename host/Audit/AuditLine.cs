using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MfaHost.Audit;

/// <summary>
/// The format of one audit line: a JSON object whose last two fields chain it: <c>prev</c> (the previous line's
/// <c>mac</c>, empty at the start of a chain) and <c>mac</c>, HMAC-SHA256 with the audit key over the exact bytes of
/// the line without <c>mac</c> (<c>{...,"prev":"..."}</c>). Editing, removing or reordering a line breaks the chain.
/// </summary>
internal static class AuditLine
{
    /// <summary><c>,"mac":"</c> + 64 hex digits + <c>"}</c>.</summary>
    private const int MacSuffixLength = 8 + 64 + 2;
    private const string MacPrefix = ",\"mac\":\"";

    /// <summary>The line (with its newline) and its mac.</summary>
    public static (byte[] Line, string Mac) Format(AuditRecord record, long sequence, string host, long generation, string previous, byte[] key)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", sequence);
            json.WriteString("time", record.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("host", host);
            json.WriteNumber("generation", generation);
            json.WriteString("event", record.Event);
            json.WriteString("method", record.Method);
            if (record.CallerUid is { } uid)
            {
                json.WriteNumber("caller_uid", uid);
            }

            if (record.CallerPid is { } pid)
            {
                json.WriteNumber("caller_pid", pid);
            }

            WriteIfSet(json, "action", record.Action);
            WriteIfSet(json, "plugin", record.Plugin);
            WriteIfSet(json, "plugin_type", record.PluginType);
            WriteIfSet(json, "username", record.Username);
            WriteIfSet(json, "mfa_identity", record.MfaIdentity);
            WriteIfSet(json, "client_ip", record.ClientIp);
            WriteIfSet(json, "protocol", record.Protocol);
            WriteIfSet(json, "session_id", record.SessionId);
            WriteIfSet(json, "verdict", record.Verdict);
            WriteIfSet(json, "reason", record.Reason);
            WriteIfSet(json, "detail", record.Detail);
            if (record.LatencyMs is { } latency)
            {
                json.WriteNumber("latency_ms", Math.Round(latency, 3));
            }

            json.WriteString("prev", previous);
            json.WriteEndObject();
        }

        var body = buffer.WrittenSpan;
        var mac = Mac(key, body);
        var line = new byte[body.Length - 1 + MacSuffixLength + 1];
        body[..^1].CopyTo(line);
        Encoding.ASCII.GetBytes(MacPrefix + mac + "\"}\n", line.AsSpan(body.Length - 1));
        return (line, mac);
    }

    /// <summary>Reads one line: its sequence, prev and mac, and whether the mac verifies; null when it is no audit line.</summary>
    public static ParsedLine? Parse(string line, byte[] key)
    {
        if (line.Length <= MacSuffixLength || !line.EndsWith("\"}", StringComparison.Ordinal) ||
            string.CompareOrdinal(line, line.Length - MacSuffixLength, MacPrefix, 0, MacPrefix.Length) != 0)
        {
            return null;
        }

        var mac = line.Substring(line.Length - MacSuffixLength + MacPrefix.Length, 64);
        var body = Encoding.UTF8.GetBytes(string.Concat(line.AsSpan(0, line.Length - MacSuffixLength), "}"));
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("seq", out var seq) || !seq.TryGetInt64(out var sequence) ||
                !root.TryGetProperty("prev", out var prev) || prev.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(mac), Encoding.ASCII.GetBytes(Mac(key, body)));
            return new ParsedLine(sequence, prev.GetString()!, mac, valid);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Mac(byte[] key, ReadOnlySpan<byte> body) => Convert.ToHexStringLower(HMACSHA256.HashData(key, body));

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>What the chain needs of one line.</summary>
    internal sealed record ParsedLine(long Sequence, string Previous, string Mac, bool MacValid);
}
