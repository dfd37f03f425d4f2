namespace MfaHost.Benchmarks;

/// <summary>Writes a host configuration for the load scenarios, using the plugins laid out next to this program.</summary>
internal static class BenchConfiguration
{
    public static void Write(string directory)
    {
        var plugins = Path.Combine(AppContext.BaseDirectory, "benchplugins");
        Directory.CreateDirectory(Path.Combine(directory, "plugins"));
        File.WriteAllText(Path.Combine(directory, "mfahost.ini"), $"""
            [host]
            socket = {Path.Combine(directory, "run", "mfahost.sock")}
            plugins_dir = {plugins}
            data_dir = data
            request_timeout = 120
            [logging]
            log_level = warning
            """ + "\n");
        // No push limit: every login reaches the plugin (the default, three pushes per user, would answer most of them).
        File.WriteAllText(Path.Combine(directory, "plugins", "noop.ini"), "[plugin]\ntype = noop\n[push_limit]\nmax = 0\n");
        File.WriteAllText(Path.Combine(directory, "plugins", "noop-isolated.ini"), "[plugin]\ntype = noop\nisolation = process\n[push_limit]\nmax = 0\n");
        File.WriteAllText(Path.Combine(directory, "plugins", "park.ini"), "[plugin]\ntype = test\n[test]\ndelay = 30\n");
        Console.WriteLine($"wrote {Path.Combine(directory, "mfahost.ini")} (instances noop, noop-isolated, park; plugins from {plugins})");
    }
}
