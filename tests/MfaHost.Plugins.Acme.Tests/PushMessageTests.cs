using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>The push names what is being approved, from what the gateway sent; absent parts are left out.</summary>
public class PushMessageTests
{
    [TestCase("ssh", "db1", "10.0.0.7", "Login of alice to ssh://db1 from 10.0.0.7")]
    [TestCase(null, "db1", "10.0.0.7", "Login of alice to db1 from 10.0.0.7")]
    [TestCase("rdp", null, "10.0.0.7", "Login of alice via rdp from 10.0.0.7")]
    [TestCase("ssh", "db1", null, "Login of alice to ssh://db1")]
    [TestCase(null, null, null, "Login of alice")]
    [TestCase("", "", "", "Login of alice")]
    public void Push_message_names_user_target_and_client(string? protocol, string? target, string? clientIp, string expected)
    {
        var request = new MfaRequest
        {
            Username = "alice",
            MfaIdentity = "alice@example.com",
            Session = new MfaSession("s1"),
            Protocol = protocol,
            Target = target,
            ClientIp = clientIp,
        };
        Assert.That(AcmeClient.PushMessage(request), Is.EqualTo(expected));
    }
}
