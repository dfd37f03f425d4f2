using System.Security.Cryptography.X509Certificates;
using System.Text;
using MfaHost.Plugins.Jazz.Tests.TestServer;
using MfaHost.Testing;

namespace MfaHost.Plugins.Jazz.Tests.Support;

/// <summary>
/// What the tests that talk to test Jazz servers share: a test CA and a server certificate for the
/// fixture, a capturing logger per test, the servers a test starts (stopped after it), and the check
/// that no credential reached the log.
/// </summary>
public abstract class JazzServerFixture
{
    protected const string Password = "Correct-Horse-42";

    protected TestCertificateAuthority Ca { get; private set; } = null!;

    protected TempDirectory Temp { get; private set; } = null!;

    protected string CaFile { get; private set; } = null!;

    protected X509Certificate2 ServerCertificate { get; private set; } = null!;

    protected CapturingLogger Logger { get; private set; } = null!;

    protected List<JazzTestServer> Servers { get; } = [];

    [OneTimeSetUp]
    public void CreateCertificateAuthority()
    {
        Ca = new TestCertificateAuthority();
        Temp = new TempDirectory();
        CaFile = Ca.WriteRootPem(Temp.Combine("ca.pem"));
        ServerCertificate = Ca.IssueServerCertificate("localhost");
    }

    [OneTimeTearDown]
    public void DisposeCertificateAuthority()
    {
        ServerCertificate.Dispose();
        Ca.Dispose();
        Temp.Dispose();
    }

    [SetUp]
    public void NewLogger() => Logger = new CapturingLogger();

    [TearDown]
    public async Task StopServersAndCheckTheLog()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }

        Servers.Clear();
        Logger.Dispose();
        Assert.That(Logger.AllText, Does.Not.Contain(Password).And.Not.Contain("wrong-password").And.Not.Contain("123456"), "a secret reached the log");
        Assert.That(Logger.AllText, Does.Not.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Password))), "Basic credentials reached the log");
    }
}
