using MfaHost.Plugins.Hmc.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Moq;

namespace MfaHost.Plugins.Hmc.Tests.Support;

/// <summary>
/// A test CA, two test HMCs (HMC1 and HMC2) with the same users, a port where nothing listens, and a way
/// to build the plugin on an instance file, as the host would.
/// </summary>
public sealed class HmcTestEnvironment : IAsyncDisposable
{
    public const string PlainUser = "operator";
    public const string PlainPassword = "plain-Passw0rd!";
    public const string MfaUser = "sysprog";
    public const string MfaPassword = "mfa-Passw0rd!";
    public const string ExpiringUser = "expiring";
    public const string ExpiringPassword = "exp-Passw0rd!";
    public const int ExpiringDays = 3;

    /// <summary>The MFA user's TOTP secret (RFC 6238's test key).</summary>
    public static readonly byte[] MfaSecret = "12345678901234567890"u8.ToArray();

    private HmcTestEnvironment(TempDirectory temp, TestCertificateAuthority ca, TestHmc hmc1, TestHmc hmc2, int downPort)
    {
        Temp = temp;
        Ca = ca;
        Hmc1 = hmc1;
        Hmc2 = hmc2;
        DownPort = downPort;
        CaFile = ca.WriteRootPem(temp.Combine("hmc-ca.pem"));
    }

    public TempDirectory Temp { get; }

    public TestCertificateAuthority Ca { get; }

    public TestHmc Hmc1 { get; }

    public TestHmc Hmc2 { get; }

    /// <summary>A loopback port with nothing listening (connections are refused).</summary>
    public int DownPort { get; }

    public string DownHostEntry => $"localhost:{DownPort}";

    public string CaFile { get; }

    // RSA key generation is the slow part of a test: one CA and one server certificate serve every test.
    private static readonly Lazy<(TestCertificateAuthority Ca, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate)> SharedCa = new(() =>
    {
        var ca = new TestCertificateAuthority("Test HMC CA");
        return (ca, ca.IssueServerCertificate("localhost"));
    });

    public static async Task<HmcTestEnvironment> StartAsync()
    {
        var temp = new TempDirectory();
        var (ca, certificate) = SharedCa.Value;
        var hmc1 = await TestHmc.StartAsync(certificate, "HMC1");
        var hmc2 = await TestHmc.StartAsync(certificate, "HMC2");
        foreach (var hmc in new[] { hmc1, hmc2 })
        {
            hmc.AddUser(PlainUser, PlainPassword);
            hmc.AddUser(MfaUser, MfaPassword, MfaSecret);
            hmc.AddUser(ExpiringUser, ExpiringPassword, passwordExpires: ExpiringDays);
        }

        return new HmcTestEnvironment(temp, ca, hmc1, hmc2, FreePort());
    }

    public static string CurrentCode() => TestTotp.Code(MfaSecret, DateTimeOffset.UtcNow);

    /// <summary>A code that is valid for no step near now (nor the next step, should the clock move on meanwhile).</summary>
    public static string WrongCode()
    {
        var now = DateTimeOffset.UtcNow;
        var taken = new[] { -1, 0, 1, 2 }.Select(d => TestTotp.Code(MfaSecret, now + (d * TestTotp.Step))).ToHashSet();
        return Enumerable.Range(0, 1_000_000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !taken.Contains(c));
    }

    /// <summary>
    /// The <c>[hmc]</c> section for <paramref name="hosts"/> (HMC1 by default), trusting the test CA, with
    /// <c>request_timeout = 5</c> unless <paramref name="extra"/> sets it.
    /// </summary>
    public string HmcSection(string? hosts = null, string extra = "") =>
        $"[hmc]\nhosts = {hosts ?? Hmc1.HostEntry}\nca_file = {CaFile}\n" +
        (extra.Contains("request_timeout", StringComparison.Ordinal) ? string.Empty : "request_timeout = 5\n") +
        extra + "\n";

    /// <summary>Writes an instance file and builds the plugin on it with the SDK's own HTTP factory.</summary>
    public HmcClient CreatePlugin(string ini, CapturingLogger logger, string instance = "hmc")
    {
        var file = Temp.Write($"config/plugins/{instance}.ini", ini);
        var credentials = Mock.Of<ICredentialStore>();
        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddIniFile(file).Build(), file, credentials);
        return new HmcClient(new MfaPluginContext
        {
            InstanceName = instance,
            Configuration = configuration,
            Logger = logger,
            Credentials = credentials,
            HttpClientFactory = new PluginHttpClientFactory(configuration),
            State = Mock.Of<IStateStore>(),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Hmc1.DisposeAsync();
        await Hmc2.DisposeAsync();
        Temp.Dispose();
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
