namespace MfaHost.Benchmarks;

/// <summary><c>load</c>: drives a running host; with <c>--echo</c> measures the echo baseline in the same run.</summary>
internal static class LoadDriver
{
    public static async Task<int> RunAsync(string socketPath, Options options)
    {
        var plugin = options.Get("plugin", "noop");
        var method = options.Get("method", "authenticate");
        var connections = options.Int("connections", 1);
        var depth = options.Int("depth", 1);
        long? requests = options.Double("requests") is { } n ? (long)n : null;
        TimeSpan? duration = options.Double("seconds") is { } s ? TimeSpan.FromSeconds(s) : null;
        if (requests is null && duration is null)
        {
            duration = TimeSpan.FromSeconds(10);
        }

        Func<int, long, string> line = method == "health"
            ? (_, id) => LineDriver.HealthLine(id)
            : (c, id) => LineDriver.AuthenticateLine(plugin, c, id);
        var warmup = TimeSpan.FromSeconds(options.Double("warmup-seconds") ?? 2);
        Console.WriteLine($"load: {method} {(method == "authenticate" ? "plugin " + plugin : string.Empty)} on {socketPath}; {connections} connection(s), depth {depth}, {(requests is { } r ? r + " requests" : duration!.Value.TotalSeconds + " s")}, warm-up {warmup.TotalSeconds} s");
        if (warmup > TimeSpan.Zero)
        {
            await LineDriver.RunAsync(socketPath, connections, depth, null, warmup, line);
        }

        var result = await LineDriver.RunAsync(socketPath, connections, depth, requests, duration, line);
        Console.WriteLine(result.Summary("host"));
        Console.WriteLine(LineDriver.Memory(options.Pid));
        if (options.Get("echo", "false") == "true")
        {
            var echo = await EchoBaseline.MeasureAsync(connections, depth, requests, duration, warmup);
            Console.WriteLine(echo.Summary("echo"));
            Console.WriteLine($"host/echo p50 ratio: {result.Percentile(50) / echo.Percentile(50):F2}");
        }

        return result.Errors == 0 ? 0 : 1;
    }
}
