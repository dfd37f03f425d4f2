using MfaHost.Testing;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>At the end of the run: the run's private PostgreSQL server (if a test started it) is stopped and removed.</summary>
[SetUpFixture]
public class PostgresServerShutdown
{
    [OneTimeTearDown]
    public Task Stop_the_shared_PostgreSQL_server() => PostgresServer.StopSharedAsync();
}
