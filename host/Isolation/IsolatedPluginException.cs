namespace MfaHost.Isolation;

/// <summary>
/// What a plugin threw in its worker, carried to the host as text: the host logs it as it would have logged the
/// exception itself (<see cref="ToString"/> is the worker's full text, stack included).
/// </summary>
internal sealed class IsolatedPluginException(string text) : Exception(FirstLine(text))
{
    public override string ToString() => text;

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).TrimEnd('\r');
    }
}
