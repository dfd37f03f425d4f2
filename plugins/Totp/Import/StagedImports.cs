using System.Security.Cryptography;

namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// Imports being sent in parts (<c>mfahost totp import</c>: one admin call per part, since a large file does not fit in
/// one socket frame), held in memory until the caller finishes them. A part is parsed as it arrives, but nothing is
/// written before the whole input is in and clean, so a bad line anywhere means nothing is imported. An import not
/// touched for <see cref="IdleLimit"/> is dropped (its client went away); the number of imports and of staged
/// enrollments is bounded so a caller cannot fill the host's memory.
/// </summary>
internal sealed class StagedImports(TimeProvider timeProvider)
{
    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(15);

    public const int MaximumImports = 8;

    public const int MaximumEnrollments = 2_000_000;

    private readonly Dictionary<string, StagedImport> _imports = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A new import, or null when <see cref="MaximumImports"/> are already open.</summary>
    public StagedImport? Begin(TotpImportFormat format)
    {
        lock (_lock)
        {
            DropIdle();
            if (_imports.Count >= MaximumImports)
            {
                return null;
            }

            var import = new StagedImport(Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant(), format, timeProvider.GetUtcNow());
            _imports.Add(import.Id, import);
            return import;
        }
    }

    public StagedImport? Find(string id)
    {
        lock (_lock)
        {
            DropIdle();
            if (!_imports.TryGetValue(id, out var import))
            {
                return null;
            }

            import.LastUsed = timeProvider.GetUtcNow();
            return import;
        }
    }

    public void End(StagedImport import)
    {
        lock (_lock)
        {
            _imports.Remove(import.Id);
        }
    }

    /// <summary>Enrollments staged in all imports (the bound is on the total).</summary>
    public int StagedCount()
    {
        lock (_lock)
        {
            return _imports.Values.Sum(i => i.Staged);
        }
    }

    private void DropIdle()
    {
        var now = timeProvider.GetUtcNow();
        foreach (var idle in _imports.Values.Where(i => now - i.LastUsed > IdleLimit).ToList())
        {
            _imports.Remove(idle.Id);
        }
    }
}

/// <summary>One import in parts: its parsed enrollments and errors so far, and how far writing has got.</summary>
internal sealed class StagedImport(string id, TotpImportFormat format, DateTimeOffset started)
{
    public string Id { get; } = id;

    public TotpImportFormat Format { get; } = format;

    public ImportCollector Collector { get; } = new();

    public DateTimeOffset LastUsed { get; set; } = started;

    /// <summary>Enrollments already written (or, in a dry run, checked).</summary>
    public int Done { get; set; }

    public int Staged => Collector.Count;

    private int _busy;

    /// <summary>Claims the import for one call: a client sends its parts one after another, so a second call at the same time is refused.</summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _busy, 0);
}
