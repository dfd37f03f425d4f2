using System.Globalization;
using System.Text;
using MfaHost.Cli;
using MfaHost.Testing;
using MfaHost.Vocabulary;

namespace MfaHost.Tests.Fuzzing;

/// <summary>
/// Issue 13, "fuzzing in CI": seeded, grammar-aware INI files (the host file's sections and options with good, bad and
/// hostile values, broken lines, then byte mutations) through the real <c>check-config</c>. Every file must end in exit
/// 0 or 2 with no exception, and every problem reported must name the file. Files that once failed are kept in
/// <c>Fuzzing/Corpus/ini</c> and replayed; <c>MFAHOST_FUZZ_INI</c> sets how many are generated (default 10000).
/// </summary>
[NonParallelizable]
public class IniFuzzTests
{
    // Paths stay inside the test's folder: a mutated data_dir must never create anything elsewhere.
    private static readonly Dictionary<string, string[]> Options = new(StringComparer.Ordinal)
    {
        ["host"] = ["socket_mode", "max_frame_bytes", "request_timeout", "shutdown_timeout", "conversation_timeout", "session_idle_timeout", "max_sessions", "max_in_flight",
            "max_connections", "max_in_flight_per_connection", "connection_idle_timeout", "frame_timeout", "no_such_option"],
        ["logging"] = ["log_level"],
        ["access"] = ["authenticate_uids", "admin_uids", "ticket_uids", "applids_1000"],
        ["tokens"] = ["max_ttl"],
        ["tickets"] = ["ttl", "session_token_ttl", "signing_key"],
        ["state"] = ["backend", "schema", "pool_size"],
        ["metrics"] = ["listen", "allow_remote", "show_users"],
        ["nosuchsection"] = ["x"],
    };

    private static readonly string[] Values =
    [
        "0", "1", "-1", "30", "0.5", "1e9", "99999999999999999999", "NaN", "Infinity", "0660", "0999", "777", "yes", "no", "maybe", "", " ", "debug", "trace", "LOUD",
        "1000", "0,1000", "root", "1000 1001", "abc", "$secret", "$", "\"quoted\"", "'x'", "é日本\U0001F600", "\u001b[31m", "a\u0000b", new string('9', 400), "127.0.0.1:0",
        "[::1]:0", "0.0.0.0:9100", "sqlite", "postgres-not", "CICSPROD", "x;comment", "x # comment", "%(other)s", "${HOME}",
    ];

    private static IEnumerable<TestCaseData> CorpusFiles() =>
        Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", "Corpus", "ini"))
            .Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(Path.GetFileName(f)).SetName("corpus ini " + Path.GetFileName(f)));

    [TestCaseSource(nameof(CorpusFiles))]
    public async Task An_ini_file_that_once_failed_is_checked_as_documented(string file)
    {
        using var folder = new TempDirectory();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzzing", "Corpus", "ini", file));

        var problem = await CheckAsync(folder, bytes, throughCommandLine: true);

        Assert.That(problem, Is.Null);
    }

    [Test]
    public async Task Every_fuzzed_host_file_is_checked_with_exit_0_or_2_and_every_problem_names_the_file()
    {
        var total = FrameFuzzTests.FromEnvironment("MFAHOST_FUZZ_INI", 10_000);
        var seed = FrameFuzzTests.FromEnvironment("MFAHOST_FUZZ_SEED", 13);
        using var folder = new TempDirectory();
        var input = new FuzzInput(seed);
        var failures = new List<string>();
        var outcomes = new int[3];
        for (var i = 0; i < total && failures.Count < 20; i++)
        {
            var bytes = Generate(input);
            if (await CheckAsync(folder, bytes, throughCommandLine: i % 500 == 0) is { } problem)
            {
                failures.Add(Save(bytes, $"{seed}-{i}", problem));
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
        TestContext.Out.WriteLine($"{total} host files, seed {seed}");
    }

    /// <summary>Null when check-config ended as documented; otherwise what went wrong.</summary>
    private static async Task<string?> CheckAsync(TempDirectory folder, byte[] bytes, bool throughCommandLine)
    {
        var path = folder.Combine("mfahost.ini");
        await File.WriteAllBytesAsync(path, bytes);
        Directory.CreateDirectory(folder.Combine("plugins"));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, new StringReader(string.Empty));
        int exit;
        try
        {
            exit = throughCommandLine
                ? await MfaHostCli.InvokeAsync(["check-config", "--config", path], console)
                : await CheckConfigCommand.RunAsync(path, console);
        }
        catch (Exception e)
        {
            return "check-config threw " + e;
        }

        if (exit is not (ExitCodes.Ok or ExitCodes.UsageOrConfig))
        {
            return $"exit {exit}: {error}";
        }

        var problems = error.ToString().Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        if (exit == ExitCodes.UsageOrConfig && problems.Count == 0)
        {
            return "exit 2 without a problem listed: " + error;
        }

        return problems.FirstOrDefault(p => !p.Contains(folder.Path, StringComparison.Ordinal) && !p.Contains("plugin instance", StringComparison.Ordinal)) is { } anonymous
            ? "a problem that names no file: " + anonymous
            : null;
    }

    private static byte[] Generate(FuzzInput input)
    {
        var random = input.Random;
        var text = new StringBuilder();
        if (input.Chance(0.05))
        {
            text.Append('\uFEFF');
        }

        // The paths are fixed and inside the folder; they are not mutated below.
        text.Append("[host]\nsocket = run/s.sock\nplugins_dir = plugins\nplugin_config_dir = plugins\ndata_dir = data\n");
        var lines = new StringBuilder();
        foreach (var section in Options.Keys.Where(_ => input.Chance(0.5)).OrderBy(_ => random.Next()))
        {
            var header = random.Next(20) switch
            {
                0 => $"[{section}",
                1 => $"[ {section} ]",
                _ => $"[{section}]",
            };
            lines.Append(header).Append('\n');
            for (var n = random.Next(0, 5); n > 0; n--)
            {
                var option = input.Pick(Options[section]);
                var value = section == "state" && option == "backend" ? input.Pick(["sqlite", "SQLITE", "mysql", ""]) : input.Pick(Values);
                lines.Append(random.Next(10) switch
                {
                    0 => $"{option}{value}",
                    1 => $"; {option} = {value}",
                    2 => $"{option} = {value}\n{option} = {input.Pick(Values)}",
                    3 => $"  {option}={value}  ",
                    4 => $"{option} = {input.StringContent()}",
                    _ => $"{option} = {value}",
                }).Append(input.Chance(0.1) ? "\r\n" : "\n");
            }
        }

        var body = Encoding.UTF8.GetBytes(lines.ToString());
        if (input.Chance(0.5))
        {
            body = input.Mutate(body, lineFeedsAllowed: true);
        }

        return [.. Encoding.UTF8.GetBytes(text.ToString()), .. body];
    }

    private static string Save(byte[] bytes, string name, string problem)
    {
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "fuzz-failures", "ini");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, name + ".ini");
        File.WriteAllBytes(file, bytes);
        return $"{problem}; file saved as {file} (add it to tests/MfaHost.Tests/Fuzzing/Corpus/ini)";
    }
}
