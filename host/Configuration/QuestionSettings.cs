using System.Globalization;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>A <c>[question_N]</c> asked after ACCEPT; the answer goes to the gateway in <c>metadata[Key]</c>.</summary>
internal sealed record QuestionSettings(string Prompt, string Key, bool DisableEcho)
{
    private const string Prefix = "question_";

    /// <summary>Reads <c>[question_1]</c>, <c>[question_2]</c> ... in order; a gap or a repeated key is an error.</summary>
    public static IReadOnlyList<QuestionSettings> ReadAll(PluginConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var numbers = new SortedDictionary<int, string>();
        foreach (var name in configuration.SectionNames)
        {
            if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                throw configuration.Section(name).Error(null, $"'{name}' is not a question section (use question_1, question_2, ...)");
            }

            numbers[n] = name;
        }

        var questions = new List<QuestionSettings>(numbers.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var expected = 1;
        foreach (var (n, name) in numbers)
        {
            var section = configuration.Section(name);
            if (n != expected)
            {
                throw section.Error(null, $"questions are numbered from 1 without gaps, but [{Prefix}{expected}] is missing");
            }

            var key = section.GetRequiredString("key");
            if (!keys.Add(key))
            {
                throw section.Error("key", $"'{key}' is already the key of an earlier question");
            }

            questions.Add(new QuestionSettings(section.GetRequiredString("prompt"), key, section.GetBool("disable_echo", true)));
            expected++;
        }

        return questions;
    }
}
