namespace MfaHost.Plugins;

/// <summary>
/// The generation of plugin instances serving now. Requests read <see cref="Current"/> once and use
/// that snapshot; reload replaces it in one atomic step, so a request sees either the old generation
/// or the new one, never a mix.
/// </summary>
internal sealed class ActiveCatalog(PluginCatalog initial)
{
    private PluginCatalog _current = initial;

    /// <summary>An empty generation 0, before the configuration is activated.</summary>
    public ActiveCatalog()
        : this(new PluginCatalog([], [], generation: 0))
    {
    }

    public PluginCatalog Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="next"/> the serving generation; returns the one it replaced.</summary>
    public PluginCatalog Swap(PluginCatalog next) => Interlocked.Exchange(ref _current, next);
}
