using System.CommandLine;
using MfaHost.Audit;
using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Cli;

/// <summary><c>mfahost audit verify FILE...</c>: checks the hash chain of audit files with the key of the configuration.</summary>
internal static class AuditCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CliOptions.Config();
        var files = new Argument<string[]>("FILE")
        {
            Description = "Audit files in order, oldest first (rotated files, then the current one); default: [audit] file",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var verify = new Command("verify", "Check that no line of the audit trail was edited, removed or reordered; exit 0 when the chain is intact, 1 naming the first broken line, 2 on a usage or configuration error")
        {
            config,
            files,
        };
        verify.SetAction((parse, _) => Task.FromResult(Verify(ConfigurationReport.ResolveConfigPath(parse.GetValue(config)), parse.GetValue(files) ?? [], console)));
        return new Command("audit", "The audit trail") { verify };
    }

    public static int Verify(string configPath, IReadOnlyList<string> files, CliConsole console)
    {
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(configPath, errors);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            return ExitCodes.UsageOrConfig;
        }

        files = files.Count > 0 ? files : [settings.Audit.File];
        if (files.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            console.Error.WriteLine($"error: {missing}: no such file");
            return ExitCodes.UsageOrConfig;
        }

        byte[]? key;
        try
        {
            key = settings.Audit.ResolveKey(create: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: cannot read the audit key {settings.Audit.GeneratedKeyFile}: {e.Message}");
            return ExitCodes.UsageOrConfig;
        }

        if (key is null)
        {
            console.Error.WriteLine($"error: no audit key: the credential store has none ([audit] key, or the secret audit.key such as MFAHOST_AUDIT_KEY) and {settings.Audit.GeneratedKeyFile} does not exist");
            return ExitCodes.UsageOrConfig;
        }

        var result = AuditChainVerifier.Verify(files, key);
        if (result.Problem is { } problem)
        {
            console.Error.WriteLine($"BROKEN {problem}");
            console.Error.WriteLine($"{result.Lines} line(s) before it verified");
            return ExitCodes.Failed;
        }

        console.Out.WriteLine($"ok: {result.Lines} line(s), sequence {result.FirstSequence} to {result.LastSequence}, chain intact");
        if (result.ContinuesEarlierFile)
        {
            console.Out.WriteLine($"note: the first line continues a chain from an earlier file (sequence {result.FirstSequence}); verify the rotated files with it, oldest first, to check the link");
        }

        return ExitCodes.Ok;
    }
}
