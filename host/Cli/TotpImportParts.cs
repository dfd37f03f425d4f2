using System.Text.Json;
using System.Text.Json.Nodes;

namespace MfaHost.Cli;

/// <summary>Cuts an import's input into parts that fit the host's frame: whole lines of a file, whole files of a folder.</summary>
internal static class TotpImportParts
{
    // Whole lines, as many as fit the budget (JSON-escaped); a line too long for any frame goes alone, without its text,
    // so the plugin reports it at its line number.
    public static IEnumerable<(JsonArray Parts, long Bytes)> OfFile(string file, int budget)
    {
        var lines = new List<string>();
        var size = 0;
        var first = 1;
        var number = 0;
        long bytes = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            var encoded = JsonEncodedText.Encode(line).EncodedUtf8Bytes.Length + 2;
            if (encoded > budget)
            {
                if (lines.Count > 0)
                {
                    yield return (Part(file, first, lines), bytes);
                }

                yield return ([new JsonObject { ["file"] = file, ["first_line"] = number, ["size"] = line.Length }], line.Length + 1);
                (lines, size, first, bytes) = ([], 0, number + 1, 0);
                continue;
            }

            if (size + encoded > budget && lines.Count > 0)
            {
                yield return (Part(file, first, lines), bytes);
                (lines, size, first, bytes) = ([], 0, number, 0);
            }

            lines.Add(line);
            size += encoded;
            bytes += line.Length + 1;
        }

        if (lines.Count > 0)
        {
            yield return (Part(file, first, lines), bytes);
        }
    }

    private static JsonArray Part(string file, int firstLine, List<string> lines) =>
        [new JsonObject { ["file"] = file, ["first_line"] = firstLine, ["text"] = string.Join('\n', lines) }];

    // Whole files (hidden ones skipped, in name order), as many as fit the budget; a file too large to be a state file
    // goes without its text, so the plugin reports it.
    public static IEnumerable<(JsonArray Parts, long Bytes)> OfFolder(string folder, int budget)
    {
        var parts = new JsonArray();
        var size = 0;
        long bytes = 0;
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            var length = new FileInfo(file).Length;
            var text = length <= budget / 2 ? File.ReadAllText(file) : null;
            var part = new JsonObject { ["file"] = file, ["size"] = length };
            var encoded = JsonEncodedText.Encode(file).EncodedUtf8Bytes.Length + 64;
            if (text is not null)
            {
                part["text"] = text;
                encoded += JsonEncodedText.Encode(text).EncodedUtf8Bytes.Length;
            }

            if (size + encoded > budget && parts.Count > 0)
            {
                yield return (parts, bytes);
                (parts, size, bytes) = ([], 0, 0);
            }

            parts.Add(part);
            size += encoded;
            bytes += length;
        }

        if (parts.Count > 0)
        {
            yield return (parts, bytes);
        }
    }
}
