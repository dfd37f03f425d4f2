using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins;

/// <summary>One configured plugin instance (<c>config/plugins/&lt;name&gt;.ini</c>) and what became of it.</summary>
internal sealed class PluginInstance : IAsyncDisposable
{
    private readonly CancellationTokenSource _retired = new();
    private MfaCapabilities? _capabilities;

    // Requests running on the instance; int.MinValue once it is closed for good (drained or disposed).
    private int _leases;
    private int _disposed;

    public required string Name { get; init; }

    public required string Type { get; init; }

    public string Version { get; init; } = "?";

    public required string ConfigFile { get; init; }

    public string? Folder { get; init; }

    /// <summary>The running client; null when the instance failed.</summary>
    public MfaClient? Client { get; init; }

    /// <summary>The instance's configuration; null when the instance failed before it was read.</summary>
    public PluginConfiguration? Configuration { get; init; }

    public string? Error { get; init; }

    /// <summary>What the instance was built from; null for instances made directly (tests).</summary>
    public InstanceDefinition? Definition { get; init; }

    /// <summary>The folder the client's code lives in; held until the instance is disposed.</summary>
    public PluginPackage? Package { get; init; }

    /// <summary>The instance's HTTP connection pools (the SDK's client factory); closed after the client is disposed.</summary>
    public IDisposable? HttpConnections { get; init; }

    public bool IsLoaded => Client is not null;

    /// <summary>Fires when a replaced or removed instance has drained for too long: what still runs on it stops.</summary>
    public CancellationToken RetiredToken => _retired.Token;

    /// <summary>Requests running on the instance now.</summary>
    public int InFlight => Math.Max(0, Volatile.Read(ref _leases));

    public bool IsClosed => Volatile.Read(ref _leases) < 0;

    /// <summary>What the plugin can do; read once (the SDK's default looks at the overridden methods).</summary>
    public MfaCapabilities Capabilities => _capabilities ??= Client?.Capabilities ?? MfaCapabilities.None;

    /// <summary>Counts a request in; false once the instance is closed (the caller looks the instance up again).</summary>
    public bool TryEnter()
    {
        while (true)
        {
            var current = Volatile.Read(ref _leases);
            if (current < 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Exit() => Interlocked.Decrement(ref _leases);

    /// <summary>Closes the instance to new requests if none is running; true when it is closed.</summary>
    public bool TryClose() => Interlocked.CompareExchange(ref _leases, int.MinValue, 0) == 0 || IsClosed;

    /// <summary>Stops what still runs on the instance (drain time is over).</summary>
    public void Retire()
    {
        try
        {
            _retired.Cancel();
        }
        catch (AggregateException)
        {
            // A plugin's own callback threw; the instance is retired regardless.
        }
    }

    /// <summary>Disposes the client and lets go of the plugin folder; only the first call does anything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Interlocked.Exchange(ref _leases, int.MinValue);
        try
        {
            if (Client is { } client)
            {
                await client.DisposeAsync();
            }
        }
        finally
        {
            HttpConnections?.Dispose();

            // The token source is not disposed: a request still finishing may read its token.
            Package?.Release();
        }
    }

    public static IReadOnlyList<string> CapabilityWords(MfaCapabilities capabilities)
    {
        var words = new List<string>(3);
        if (capabilities.HasFlag(MfaCapabilities.Push))
        {
            words.Add("push");
        }

        if (capabilities.HasFlag(MfaCapabilities.Otp))
        {
            words.Add("otp");
        }

        if (capabilities.HasFlag(MfaCapabilities.Password))
        {
            words.Add("password");
        }

        return words;
    }
}
