namespace MfaHost.Plugins.Jazz.Tests.TestServer;

/// <summary>One request the test Jazz server received, and its answer.</summary>
public sealed record LoggedRequest(string Method, string Path, string Query, bool HadAuthorization, int Status);
