namespace MfaHost.Plugins.Acme.Tests.TestServer;

/// <summary>One request the fake Acme service received.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path below the API base (<c>/push</c>, <c>/push/tx1</c>, <c>/otp/verify</c>).</param>
/// <param name="Time">When it arrived (wall clock; for reading, not for asserting durations).</param>
/// <param name="BearerTokenValid">Whether it carried <c>Authorization: Bearer &lt;the server's token&gt;</c>.</param>
/// <param name="Accept">Its Accept header.</param>
/// <param name="Body">Its body, as received.</param>
/// <param name="ConnectionId">Kestrel's id of the connection it came on (which client connection carried it).</param>
/// <param name="Protocol">Its HTTP version (<c>HTTP/1.1</c>, <c>HTTP/2</c>).</param>
public sealed record AcmeRequestLogEntry(string Method, string Path, DateTimeOffset Time, bool BearerTokenValid, string? Accept, string Body, string ConnectionId, string Protocol);
