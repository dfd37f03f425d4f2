namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>The configured seed key does not open the store's secrets (missing, wrong, or rotated without the previous key).</summary>
internal sealed class SeedKeyMismatchException(string message) : Exception(message);
