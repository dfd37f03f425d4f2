using System.Text;

namespace MfaHost.Plugins.Hmc.Stomp;

/// <summary>
/// STOMP 1.2 frame encoding and decoding: <c>COMMAND EOL (name:value EOL)* EOL body NUL</c>, where EOL
/// is LF or CR LF; header escaping (<c>\\ \r \n \c</c>) on every frame except CONNECT and CONNECTED;
/// <c>content-length</c> bodies (which may hold NUL) or NUL-terminated ones; EOLs between frames
/// (heart-beats) skipped. Header escaping is in <c>StompFrameCodec.Escaping.cs</c>.
/// </summary>
internal static partial class StompFrameCodec
{
    /// <summary>A frame larger than this without its end is a protocol error (a broker answer is small).</summary>
    public const int MaxFrameSize = 64 * 1024;

    private const byte Nul = 0;
    private const byte Lf = (byte)'\n';
    private const byte Cr = (byte)'\r';

    /// <summary>Encodes <paramref name="frame"/>; adds <c>content-length</c> when it has a body and none is given.</summary>
    /// <exception cref="StompProtocolException">A header cannot be written in this frame (names the header, never its value).</exception>
    public static byte[] Encode(StompFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        CheckCommand(frame.Command);
        var escape = StompCommands.EscapesHeaders(frame.Command);
        var text = new StringBuilder();
        text.Append(frame.Command).Append('\n');
        var hasLength = false;
        foreach (var (name, value) in frame.Headers)
        {
            if (name.Length == 0)
            {
                throw new StompProtocolException($"{frame.Command}: a header has an empty name");
            }

            if (name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new StompProtocolException($"{frame.Command}: header '{Printable(name)}' contains NUL");
            }

            if (!escape && (name.AsSpan().IndexOfAny(":\r\n") >= 0 || value.AsSpan().IndexOfAny("\r\n") >= 0))
            {
                // CONNECT headers are sent as they are: a CR, LF (or a ':' in a name) cannot be written.
                throw new StompProtocolException($"{frame.Command}: header '{Printable(name)}' contains a character that a {frame.Command} frame cannot carry (CR, LF, or ':' in the name)");
            }

            hasLength |= name == "content-length";
            text.Append(escape ? Escape(name) : name).Append(':').Append(escape ? Escape(value) : value).Append('\n');
        }

        if (!frame.Body.IsEmpty && !hasLength)
        {
            text.Append("content-length:").Append(frame.Body.Length).Append('\n');
        }

        text.Append('\n');
        var head = Encoding.UTF8.GetBytes(text.ToString());
        var bytes = new byte[head.Length + frame.Body.Length + 1];
        head.CopyTo(bytes, 0);
        frame.Body.Span.CopyTo(bytes.AsSpan(head.Length));
        bytes[^1] = Nul;
        return bytes;
    }

    /// <summary>
    /// Decodes the first frame in <paramref name="buffer"/>. <paramref name="consumed"/> counts the bytes
    /// used (EOLs before a frame too, even when no frame is complete yet).
    /// </summary>
    /// <returns>False when more bytes are needed.</returns>
    /// <exception cref="StompProtocolException">The bytes are not a STOMP 1.2 frame.</exception>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, out StompFrame? frame, out int consumed)
    {
        frame = null;
        var start = 0;
        while (start < buffer.Length && (buffer[start] == Lf || (buffer[start] == Cr && start + 1 < buffer.Length && buffer[start + 1] == Lf)))
        {
            start += buffer[start] == Cr ? 2 : 1;
        }

        consumed = start;
        var rest = buffer[start..];
        if (rest.IsEmpty || (rest.Length == 1 && rest[0] == Cr))
        {
            return false;
        }

        // The header block ends at the first empty line.
        var lines = new List<string>();
        var position = 0;
        int? bodyStart = null;
        while (position < rest.Length)
        {
            var lf = rest[position..].IndexOf(Lf);
            if (lf < 0)
            {
                break;
            }

            var line = rest.Slice(position, lf);
            if (!line.IsEmpty && line[^1] == Cr)
            {
                line = line[..^1];
            }

            if (line.Contains(Nul))
            {
                throw new StompProtocolException("a frame's command or header line contains NUL");
            }

            position += lf + 1;
            if (line.IsEmpty)
            {
                bodyStart = position;
                break;
            }

            lines.Add(Utf8(line));
        }

        if (bodyStart is null)
        {
            CheckSize(rest.Length);
            return false;
        }

        if (lines.Count == 0)
        {
            throw new StompProtocolException("a frame has no command line");
        }

        var command = lines[0];
        CheckCommand(command);
        var unescape = StompCommands.EscapesHeaders(command);
        var headers = new List<KeyValuePair<string, string>>(lines.Count - 1);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new StompProtocolException($"{command}: a header line has no name or no ':'");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..];
            headers.Add(unescape ? new(Unescape(name, command), Unescape(value, command)) : new(name, value));
        }

        var bodyRest = rest[bodyStart.Value..];
        int bodyLength;
        var lengthText = headers.FirstOrDefault(h => h.Key == "content-length").Value;
        if (lengthText is not null)
        {
            if (!int.TryParse(lengthText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bodyLength) || bodyLength > MaxFrameSize)
            {
                throw new StompProtocolException($"{command}: content-length '{Printable(lengthText)}' is not a length up to {MaxFrameSize}");
            }

            if (bodyRest.Length < bodyLength + 1)
            {
                CheckSize(bodyStart.Value + bodyLength);
                return false;
            }

            if (bodyRest[bodyLength] != Nul)
            {
                throw new StompProtocolException($"{command}: the body is not followed by NUL after content-length bytes");
            }
        }
        else
        {
            bodyLength = bodyRest.IndexOf(Nul);
            if (bodyLength < 0)
            {
                CheckSize(rest.Length);
                return false;
            }
        }

        frame = new StompFrame(command, headers, bodyRest[..bodyLength].ToArray());
        consumed = start + bodyStart.Value + bodyLength + 1;
        return true;
    }

    private static void CheckCommand(string command)
    {
        if (command.Length == 0 || command.Any(c => c is < 'A' or > 'Z'))
        {
            throw new StompProtocolException($"'{Printable(command)}' is not a STOMP command");
        }
    }

    private static void CheckSize(int length)
    {
        if (length > MaxFrameSize)
        {
            throw new StompProtocolException($"a frame is larger than {MaxFrameSize} bytes");
        }
    }

    private static string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new StompProtocolException("a frame's command or header line is not UTF-8");
        }
    }

    private static string Printable(string text)
    {
        var shown = text.Length > 40 ? text[..40] + "..." : text;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
