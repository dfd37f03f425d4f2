namespace MfaHost.Audit;

/// <summary>
/// Checks audit files line by line, in the order given (rotated files oldest first): every mac verifies with the key,
/// every line's <c>prev</c> is the mac of the line before it and its sequence one more. Reports the first problem,
/// naming the file and line. The first line of the first file may continue a chain from an older file (its
/// <c>prev</c> cannot be checked); the host's log line "closed at sequence N, mac M" anchors the last one.
/// </summary>
internal static class AuditChainVerifier
{
    /// <summary>The result: <see cref="Problem"/> null when the chain is intact.</summary>
    internal sealed record Result(long Lines, long FirstSequence, long LastSequence, bool ContinuesEarlierFile, string? Problem);

    public static Result Verify(IReadOnlyList<string> files, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(files);
        long lines = 0, first = 0;
        var continues = false;
        AuditLine.ParsedLine? previous = null;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var all = text.Split('\n');
            var count = text.EndsWith('\n') ? all.Length - 1 : all.Length;
            if (text.Length == 0)
            {
                continue;
            }

            // Where each sequence number is in this file, to tell a reordered line from a missing one.
            var parsed = new AuditLine.ParsedLine?[count];
            var lineOf = new Dictionary<long, int>();
            for (var i = 0; i < count; i++)
            {
                parsed[i] = AuditLine.Parse(all[i], key);
                if (parsed[i] is { } p)
                {
                    lineOf.TryAdd(p.Sequence, i + 1);
                }
            }

            for (var i = 0; i < count; i++)
            {
                var where = $"{file}:{i + 1}";
                if (i == count - 1 && !text.EndsWith('\n'))
                {
                    return Broken($"{where}: the line is incomplete (no newline at its end: a write was cut off, or the file was truncated)");
                }

                if (parsed[i] is not { } line)
                {
                    return Broken($"{where}: not an audit line (malformed, or edited so that it no longer parses)");
                }

                if (!line.MacValid)
                {
                    return Broken($"{where}: the line was altered (its mac does not verify with the audit key)");
                }

                if (previous is null)
                {
                    first = line.Sequence;
                    if (line.Previous.Length > 0 || line.Sequence != 1)
                    {
                        continues = true;
                    }
                }
                else if (line.Previous != previous.Mac || line.Sequence != previous.Sequence + 1)
                {
                    return Broken($"{where}: {Break(previous, line, lineOf)}");
                }

                previous = line;
                lines++;
            }
        }

        return new Result(lines, first, previous?.Sequence ?? 0, continues, null);

        Result Broken(string problem) => new(lines, first, previous?.Sequence ?? 0, continues, problem);
    }

    private static string Break(AuditLine.ParsedLine previous, AuditLine.ParsedLine line, Dictionary<long, int> lineOf)
    {
        var expected = previous.Sequence + 1;
        if (line.Sequence == 1 && line.Previous.Length == 0)
        {
            return $"a new chain starts here after sequence {previous.Sequence} (the host found the end of the trail damaged, or lines were put together from another trail)";
        }

        if (lineOf.TryGetValue(expected, out var at))
        {
            return $"the line is out of order: sequence {line.Sequence} where {expected} was expected (sequence {expected} is on line {at})";
        }

        if (line.Sequence > expected)
        {
            var missing = line.Sequence - expected;
            return $"{missing} line(s) missing before this one (sequence jumps from {previous.Sequence} to {line.Sequence})";
        }

        return line.Sequence <= previous.Sequence
            ? $"the line is out of order or repeated: sequence {line.Sequence} after {previous.Sequence}"
            : $"the chain is broken: the line does not follow the one before it (sequence {line.Sequence})";
    }
}
