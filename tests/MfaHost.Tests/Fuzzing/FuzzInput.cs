using System.Text;

namespace MfaHost.Tests.Fuzzing;

/// <summary>
/// Seeded random choices and byte mutations shared by the frame and INI generators. Deterministic: the same seed gives
/// the same inputs on every machine (<see cref="Random(int)"/> with a seed is stable across .NET versions).
/// </summary>
internal sealed class FuzzInput(int seed)
{
    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xFE], [0xC0, 0x80], [0xC1, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], [0x80],
    ];

    private static readonly string[] Pieces =
    [
        "", "a", "alice", "root", "é", "日本", "\U0001F600", "\\u0000", "\\u001b[31m", "\\u001b]0;x\\u0007", "\\ud800", "\\udfff", "\\ud83d\\ude00", "\\ud83d",
        "\\\"", "\\\\", "\\n", "\\r\\n", "\\t", "\\u2028", "\\u202e", "%s%n", "{0}", "{Username}", "${jndi:x}", "../../etc/passwd", "'; DROP TABLE state;--",
        "\\u00", "\\x41", "\\", "\u0001", "\u007f",
    ];

    private static readonly char[] Syntax = "{}[]\",:\\ 0-e.".ToCharArray();

    public Random Random { get; } = new(seed);

    public bool Chance(double p) => Random.NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    /// <summary>A string's JSON-escaped content (without quotes): hostile pieces, sometimes long.</summary>
    public string StringContent()
    {
        var builder = new StringBuilder();
        var parts = Random.Next(0, 6);
        for (var i = 0; i < parts; i++)
        {
            builder.Append(Pick(Pieces));
        }

        if (Chance(0.05))
        {
            builder.Append('x', Random.Next(256, 6000));
        }

        return builder.ToString();
    }

    /// <summary>Applies 1 to 4 byte mutations; never adds a line feed (one frame stays one line).</summary>
    public byte[] Mutate(byte[] input, bool lineFeedsAllowed = false)
    {
        var bytes = new List<byte>(input);
        for (var n = Random.Next(1, 5); n > 0; n--)
        {
            var at = bytes.Count == 0 ? 0 : Random.Next(bytes.Count);
            switch (Random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)Random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, (byte)Random.Next(256));
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.InsertRange(at, Pick(BadUtf8));
                    break;
                case 4 when bytes.Count > 1:
                    var start = Random.Next(bytes.Count);
                    var length = Random.Next(1, Math.Min(64, bytes.Count - start) + 1);
                    bytes.InsertRange(at, bytes.GetRange(start, length));
                    break;
                case 5 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.Insert(at, (byte)Pick(Syntax));
                    break;
            }
        }

        if (!lineFeedsAllowed)
        {
            for (var i = 0; i < bytes.Count; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    bytes[i] = (byte)' ';
                }
            }
        }

        return [.. bytes];
    }
}
