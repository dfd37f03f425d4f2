using MfaHost.PluginSdk;
using OtpNet;

namespace MfaHost.Plugins.Totp;

/// <summary>
/// The <c>[totp]</c> section of a <c>totp</c> plugin instance, validated: what new enrollments get
/// (<see cref="Digits"/>, <see cref="Period"/>, <see cref="Algorithm"/>, <see cref="Issuer"/>, <see cref="ScratchCodes"/>)
/// and how codes are checked (<see cref="Window"/>). The lock-out after wrong codes is the host's (<c>[lockout]</c>).
/// The plugin and the enrollment CLI read it the same way.
/// </summary>
internal sealed record TotpSettings
{
    /// <summary>The section name.</summary>
    public const string SectionName = "totp";

    /// <summary>Digits per code, 6 to 8 (default 6).</summary>
    public int Digits { get; init; } = 6;

    /// <summary>Seconds per time step (default 30).</summary>
    public int Period { get; init; } = 30;

    /// <summary>The HMAC hash function (default SHA1, the one every authenticator app supports).</summary>
    public OtpHashMode Algorithm { get; init; } = OtpHashMode.Sha1;

    /// <summary>Steps accepted before and after the current one (default 1).</summary>
    public int Window { get; init; } = 1;

    /// <summary>The issuer shown in authenticator apps (default MfaHost).</summary>
    public string Issuer { get; init; } = "MfaHost";

    /// <summary>Single-use 8-digit scratch codes issued per enrollment (default 10).</summary>
    public int ScratchCodes { get; init; } = 10;

    /// <summary>
    /// Steps either way searched when a code is outside the user's <see cref="Window"/> (default 0: off). A match there
    /// is accepted once and records the user's clock drift; later codes are checked around the drifted step.
    /// </summary>
    public int ResyncWindow { get; init; }

    /// <summary>How long a new enrollment waits for its first code before it is dropped (default 1 day).</summary>
    public TimeSpan PendingTtl { get; init; } = TimeSpan.FromDays(1);

    /// <summary><see cref="Window"/> as a <see cref="VerificationWindow"/>.</summary>
    public VerificationWindow VerificationWindow => new(Window, Window);

    /// <summary>Reads and validates <c>[totp]</c>; absent options keep their defaults.</summary>
    /// <param name="configuration">The instance's configuration.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="MfaConfigurationException">A bad value (file, section, option and value named).</exception>
    public static TotpSettings FromConfiguration(PluginConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.Section(SectionName);
        var defaults = new TotpSettings();
        var issuer = section.GetString("issuer", defaults.Issuer)!;
        if (issuer.Contains(':', StringComparison.Ordinal))
        {
            throw section.Error("issuer", $"'{issuer}' contains ':', which otpauth URIs do not allow in an issuer");
        }

        var window = section.GetInt("window", defaults.Window, 0, 10);
        var resync = section.GetInt("resync_window", defaults.ResyncWindow, 0, 20);
        if (resync != 0 && resync <= window)
        {
            throw section.Error("resync_window", $"{resync} is not wider than window ({window}): use 0 (off) or a larger value");
        }

        return new TotpSettings
        {
            Digits = section.GetInt("digits", defaults.Digits, 6, 8),
            Period = section.GetInt("period", defaults.Period, 1, 3600),
            Algorithm = ParseAlgorithm(section, section.GetString("algorithm")),
            Window = window,
            ResyncWindow = resync,
            Issuer = issuer,
            ScratchCodes = section.GetInt("scratch_codes", defaults.ScratchCodes, 0, 100),
            PendingTtl = section.GetSeconds("pending_ttl", defaults.PendingTtl, TimeSpan.FromMinutes(1)),
        };
    }

    private static OtpHashMode ParseAlgorithm(IniSection section, string? value) => value?.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() switch
    {
        null or "SHA1" => OtpHashMode.Sha1,
        "SHA256" => OtpHashMode.Sha256,
        "SHA512" => OtpHashMode.Sha512,
        _ => throw section.Error("algorithm", $"'{value}' is not one of SHA1, SHA256, SHA512"),
    };
}
