namespace MfaHost.PluginSdk;

/// <summary>
/// Base32 (RFC 4648, section 6), the encoding of OTP secrets in <c>otpauth://</c> URIs and authenticator apps.
/// Decoding accepts upper and lower case, optional <c>=</c> padding, and ignores spaces and hyphens
/// (secrets are often written in groups).
/// </summary>
public static class Base32Encoding
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>Decodes <paramref name="input"/>.</summary>
    /// <param name="input">Base32 text.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="FormatException">A character outside the alphabet (named, with its 1-based position), padding in the middle, or a length no encoder produces.</exception>
    public static byte[] ToBytes(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = new byte[input.Length * 5 / 8];
        var written = Decode(input, output);
        return written == output.Length ? output : output[..written];
    }

    /// <summary>Encodes <paramref name="data"/> in upper case, without padding (as authenticator apps expect in URIs).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="padding">Append <c>=</c> up to a multiple of eight characters.</param>
    /// <returns>The Base32 text.</returns>
    public static string ToString(ReadOnlySpan<byte> data, bool padding = false)
    {
        var length = (data.Length * 8 + 4) / 5;
        var padded = padding ? (length + 7) / 8 * 8 : length;
        var chars = new char[padded];
        int buffer = 0, bits = 0, index = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[index++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[index++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        while (index < padded)
        {
            chars[index++] = '=';
        }

        return new string(chars);
    }

    private static int Decode(string input, Span<byte> output)
    {
        int buffer = 0, bits = 0, written = 0, symbols = 0;
        var paddingAt = -1;
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (c is ' ' or '-')
            {
                continue;
            }

            if (c == '=')
            {
                paddingAt = paddingAt < 0 ? i : paddingAt;
                continue;
            }

            if (paddingAt >= 0)
            {
                throw new FormatException($"Invalid Base32: padding '=' at position {paddingAt + 1} is followed by data at position {i + 1}.");
            }

            var value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a',
                >= '2' and <= '7' => c - '2' + 26,
                _ => -1,
            };
            if (value < 0)
            {
                throw new FormatException($"Invalid Base32: character '{Printable(c)}' at position {i + 1} is not in the alphabet A-Z, 2-7.");
            }

            symbols++;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                output[written++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }

        // 1, 3 and 6 symbols in the last group of eight are lengths no encoder produces.
        if ((symbols % 8) is 1 or 3 or 6)
        {
            throw new FormatException($"Invalid Base32: {symbols} symbols is not a valid length (a truncated value?).");
        }

        return written;
    }

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:X4}" : c.ToString();
}
