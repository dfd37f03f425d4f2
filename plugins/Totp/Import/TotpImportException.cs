namespace MfaHost.Plugins.Totp.Import;

/// <summary>
/// An import file that cannot be imported as a whole: every bad line, each as <c>file:line: what is wrong</c>. Nothing
/// was written. The messages name lines and fields, never a secret's value.
/// </summary>
internal sealed class TotpImportException(IReadOnlyList<string> errors)
    : Exception($"Nothing imported: {errors.Count} error(s):\n" + string.Join('\n', errors.Take(MaxShown)) +
        (errors.Count > MaxShown ? $"\n... and {errors.Count - MaxShown} more" : ""))
{
    public const int MaxShown = 50;

    public IReadOnlyList<string> Errors { get; } = errors;
}
