using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>Where an instance's plugin code runs: <c>[plugin] isolation</c>, <c>max_memory_mb</c> and <c>max_concurrency</c>.</summary>
internal sealed record IsolationSettings
{
    public static readonly IsolationSettings None = new();

    /// <summary>True for <c>isolation = process</c>: the plugin runs in a worker process of its own.</summary>
    public bool InWorker { get; init; }

    /// <summary>The worker is restarted when its resident memory goes beyond this; null for no limit.</summary>
    public int? MaxMemoryMegabytes { get; init; }

    /// <summary>At most this many plugin calls run in the worker at once (the others wait); null for no limit.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Reads the isolation options of an instance's <c>[plugin]</c> section.</summary>
    public static IsolationSettings Read(IniSection plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var mode = plugin.GetString("isolation", "none")!.Trim().ToLowerInvariant();
        if (mode is not ("none" or "process"))
        {
            throw plugin.Error("isolation", $"'{mode}' is not an isolation mode: use none or process");
        }

        var memory = plugin.GetInt("max_memory_mb", 0, min: 0, max: 1024 * 1024);
        var concurrency = plugin.GetInt("max_concurrency", 0, min: 0, max: 100_000);
        if (mode == "none" && (memory > 0 || concurrency > 0))
        {
            throw plugin.Error(memory > 0 ? "max_memory_mb" : "max_concurrency", "applies to isolation = process only; set isolation = process or remove it");
        }

        if (memory is > 0 and < 32)
        {
            throw plugin.Error("max_memory_mb", "is below 32: a .NET worker needs more than that to start");
        }

        return mode == "none"
            ? None
            : new IsolationSettings { InWorker = true, MaxMemoryMegabytes = memory > 0 ? memory : null, MaxConcurrency = concurrency > 0 ? concurrency : null };
    }
}
