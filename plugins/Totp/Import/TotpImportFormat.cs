namespace MfaHost.Plugins.Totp.Import;

/// <summary>The file formats <c>mfahost totp import</c> reads.</summary>
internal enum TotpImportFormat
{
    /// <summary>otpauth://totp URIs, one a line.</summary>
    Uri,

    /// <summary>pam_google_authenticator state files: a folder of files named by user, or one such file.</summary>
    GoogleAuthenticator,

    /// <summary>user,secret[,algorithm,digits,period].</summary>
    Csv,
}
