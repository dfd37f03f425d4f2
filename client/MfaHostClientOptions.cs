namespace MfaHost.Client;

/// <summary>How <see cref="MfaHostClient.ConnectAsync(string, MfaHostClientOptions, CancellationToken)"/> connects.</summary>
public sealed class MfaHostClientOptions
{
    /// <summary>
    /// The uid the host runs as. When set, the client asks the kernel who listens on the socket (<c>SO_PEERCRED</c>,
    /// Linux) and refuses to talk to any other uid with <see cref="MfaHostImpostorException"/>: a process that replaced
    /// the socket would otherwise receive the users' passwords and codes and could answer ACCEPT.
    /// </summary>
    public uint? ExpectedHostUid { get; init; }
}
