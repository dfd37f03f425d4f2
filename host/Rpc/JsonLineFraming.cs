using System.Buffers;

namespace MfaHost.Rpc;

/// <summary>What <see cref="JsonLineFraming.TryReadLine"/> found in the buffer.</summary>
internal enum FrameStatus
{
    /// <summary>A whole line was taken from the buffer.</summary>
    Line,

    /// <summary>No line feed yet: read more.</summary>
    NeedMore,

    /// <summary>The line is longer than the frame limit.</summary>
    TooLong,
}

/// <summary>JSON Lines framing: one message per line, ended by <c>\n</c> (a <c>\r</c> before it is dropped).</summary>
internal static class JsonLineFraming
{
    /// <summary>
    /// Takes one line off the front of <paramref name="buffer"/>, without its line ending. A line (or the
    /// unterminated rest of the buffer) longer than <paramref name="maxFrameBytes"/> is <see cref="FrameStatus.TooLong"/>.
    /// </summary>
    public static FrameStatus TryReadLine(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is not { } end)
        {
            line = default;
            return buffer.Length > maxFrameBytes ? FrameStatus.TooLong : FrameStatus.NeedMore;
        }

        line = buffer.Slice(0, end);
        buffer = buffer.Slice(buffer.GetPosition(1, end));
        if (line.Length > 0 && EndsWithCarriageReturn(line))
        {
            line = line.Slice(0, line.Length - 1);
        }

        return line.Length > maxFrameBytes ? FrameStatus.TooLong : FrameStatus.Line;
    }

    private static bool EndsWithCarriageReturn(in ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            return line.FirstSpan[^1] == (byte)'\r';
        }

        return line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r';
    }
}
