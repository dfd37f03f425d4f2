using OtpNet;

namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// One user's existing authenticator enrollment read from an import file, validated: the secret (Base32, upper case,
/// no padding) and its parameters, scratch codes in clear (hashed when stored), and where it came from.
/// <see cref="Secret"/> and <see cref="ScratchCodes"/> are secrets: never log them.
/// </summary>
internal sealed record ImportedEnrollment
{
    public required string User { get; init; }

    public required string Secret { get; init; }

    public OtpHashMode Algorithm { get; init; } = OtpHashMode.Sha1;

    public int Digits { get; init; } = 6;

    public int Period { get; init; } = 30;

    public IReadOnlyList<string> ScratchCodes { get; init; } = [];

    /// <summary>File and line (or file alone for a google_authenticator file) the enrollment came from.</summary>
    public required string Source { get; init; }

    /// <summary>Options of the source that MfaHost applies differently (a per-user window, a rate limit), for the report.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    // The generated ToString would print the secret and the scratch codes.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"User = {User}, Algorithm = {Algorithm}, Digits = {Digits}, Period = {Period}, ScratchCodes = {ScratchCodes.Count}, Source = {Source}");
        return true;
    }
}
