namespace MfaHost.Plugins.Hmc.Stomp;

/// <summary>
/// One STOMP 1.2 frame: a command, headers in order (a repeated header's first value counts), a body.
/// </summary>
/// <remarks>Headers may hold a passcode: <see cref="ToString"/> shows the command only.</remarks>
internal sealed class StompFrame
{
    public StompFrame(string command, IReadOnlyList<KeyValuePair<string, string>>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        Command = command;
        Headers = headers ?? [];
        Body = body;
    }

    public string Command { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The first value of header <paramref name="name"/> (STOMP 1.2: the first of repeated headers wins).</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var header in Headers)
            {
                if (string.Equals(header.Key, name, StringComparison.Ordinal))
                {
                    return header.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Deliberately the command only: a CONNECT carries the passcode.</summary>
    public override string ToString() => Command;
}
