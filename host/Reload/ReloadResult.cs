namespace MfaHost.Reload;

/// <summary>What one reload did, or why it did nothing.</summary>
internal sealed record ReloadResult
{
    /// <summary>Whether the new configuration took effect.</summary>
    public required bool Applied { get; init; }

    /// <summary>The generation serving after the reload (unchanged when it failed).</summary>
    public required long Generation { get; init; }

    public required DateTimeOffset LoadedAt { get; init; }

    /// <summary>Why the new configuration was refused; the old one keeps serving.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public IReadOnlyList<string> Added { get; init; } = [];

    public IReadOnlyList<string> Changed { get; init; } = [];

    public IReadOnlyList<string> Removed { get; init; } = [];

    public IReadOnlyList<string> Unchanged { get; init; } = [];

    /// <summary>Host options that changed but only take effect after a restart.</summary>
    public IReadOnlyList<string> RestartRequired { get; init; } = [];
}
