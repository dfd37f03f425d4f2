using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Plugins.Acme.Tests.Support;

/// <summary>
/// What the tests that call the acme plugin class directly share: one test server for the fixture,
/// and per test a temporary folder, a capturing logger and a fake clock of type <typeparamref name="TTime"/>.
/// </summary>
public abstract class AcmeClientFixture<TTime>
    where TTime : FakeTimeProvider, new()
{
    protected AcmeTestServer Server { get; private set; } = null!;

    protected TempDirectory Temp { get; private set; } = null!;

    protected CapturingLogger Log { get; private set; } = null!;

    protected TTime Time { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServer() => Server = await AcmeTestServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await Server.DisposeAsync();

    [SetUp]
    public void CreatePerTestState()
    {
        Temp = new TempDirectory();
        Log = new CapturingLogger();
        Time = new TTime();
    }

    [TearDown]
    public void DisposePerTestState()
    {
        TestContext.Out.WriteLine(Log.AllText);
        Temp.Dispose();
        Log.Dispose();
    }
}
