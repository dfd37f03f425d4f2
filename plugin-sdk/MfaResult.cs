namespace MfaHost.PluginSdk;

/// <summary>
/// What a push or OTP operation returns: a plain success or failure (<c>return true;</c>),
/// or a full <see cref="MfaVerdict"/> that passes through unchanged (<c>return MfaVerdict.NeedInfo(...)</c>).
/// </summary>
public readonly struct MfaResult : IEquatable<MfaResult>
{
    private readonly bool _success;

    private MfaResult(bool success, MfaVerdict? verdict)
    {
        _success = success;
        Verdict = verdict;
    }

    /// <summary>The verdict given explicitly, or null for a plain success or failure.</summary>
    public MfaVerdict? Verdict { get; }

    /// <summary>A plain success (ACCEPT) or failure (DENY <c>authentication_failed</c>).</summary>
    /// <param name="success">True for ACCEPT.</param>
    public static MfaResult FromBoolean(bool success) => new(success, null);

    /// <summary>A full verdict, passed to the gateway unchanged.</summary>
    /// <param name="verdict">The verdict.</param>
    public static MfaResult FromVerdict(MfaVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new MfaResult(verdict.IsAccept, verdict);
    }

    /// <summary>Converts a plain success or failure.</summary>
    /// <param name="success">True for ACCEPT.</param>
    public static implicit operator MfaResult(bool success) => FromBoolean(success);

    /// <summary>Converts a full verdict.</summary>
    /// <param name="verdict">The verdict.</param>
    public static implicit operator MfaResult(MfaVerdict verdict) => FromVerdict(verdict);

    /// <summary>The verdict this result stands for.</summary>
    public MfaVerdict ToVerdict() => Verdict ?? (_success ? MfaVerdict.Accept() : MfaVerdict.Deny());

    /// <inheritdoc/>
    public bool Equals(MfaResult other) => _success == other._success && Equals(Verdict, other.Verdict);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MfaResult other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_success, Verdict);

    /// <summary>Equality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator ==(MfaResult left, MfaResult right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator !=(MfaResult left, MfaResult right) => !left.Equals(right);
}
