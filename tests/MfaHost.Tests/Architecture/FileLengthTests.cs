namespace MfaHost.Tests.Architecture;

/// <summary>
/// No production file needs more than one screen of scrolling to see what it does: every <c>.cs</c> file under the
/// production folders stays within <see cref="LineBudget"/> lines. A file that grows past it is split by concern
/// (a collaborator with a name, or a partial file named by concern), not allowed in.
/// </summary>
public sealed class FileLengthTests
{
    internal const int LineBudget = 300;

    internal static readonly string[] ProductionFolders = ["host", "plugin-sdk", "plugins", "client", "kit"];

    /// <summary>
    /// Files allowed over the budget for now, each with the most lines it may have and why. An entry caps the file where
    /// it is (it may shrink, never grow); delete the entry once the file fits the budget.
    /// </summary>
    internal static readonly Dictionary<string, (int MaxLines, string Why)> OverBudget = new(StringComparer.Ordinal)
    {
        // None today. An entry is a debt with a reason, e.g. ["host/Room/Big.cs"] = (340, "why it cannot be split yet").
    };

    /// <summary>Every production file over <paramref name="budget"/> lines under <paramref name="root"/>, as "path: N lines" (paths with '/').</summary>
    internal static List<(string Path, int Lines)> FilesOverBudget(string root, IEnumerable<string> folders, int budget)
    {
        var over = new List<(string, int)>();
        foreach (var folder in folders)
        {
            var top = Path.Combine(root, folder);
            if (!Directory.Exists(top))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(top, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.Split('/').Any(part => part is "bin" or "obj"))
                {
                    continue;
                }

                var lines = File.ReadLines(file).Count();
                if (lines > budget)
                {
                    over.Add((relative, lines));
                }
            }
        }

        return [.. over.OrderBy(f => f.Item1, StringComparer.Ordinal)];
    }

    [Test]
    public void Every_production_file_fits_the_line_budget()
    {
        var over = FilesOverBudget(HostBuildOutput.RepositoryRoot, ProductionFolders, LineBudget)
            .Where(f => !(OverBudget.TryGetValue(f.Path, out var allowed) && f.Lines <= allowed.MaxLines))
            .Select(f => $"{f.Path}: {f.Lines} lines (budget {LineBudget}): split it by concern");

        Assert.That(over, Is.Empty);
    }

    [Test]
    public void A_file_over_the_budget_is_found_and_bin_and_obj_are_not_read()
    {
        var root = Directory.CreateTempSubdirectory("mfa-lines-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "host", "Room"));
            Directory.CreateDirectory(Path.Combine(root, "host", "obj"));
            File.WriteAllLines(Path.Combine(root, "host", "Room", "Long.cs"), Enumerable.Repeat("//", 11));
            File.WriteAllLines(Path.Combine(root, "host", "Room", "Short.cs"), Enumerable.Repeat("//", 10));
            File.WriteAllLines(Path.Combine(root, "host", "obj", "Generated.cs"), Enumerable.Repeat("//", 50));

            var over = FilesOverBudget(root, ["host", "absent"], budget: 10);

            Assert.That(over, Is.EqualTo(new[] { ("host/Room/Long.cs", 11) }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
