using MfaHost.Plugins.Totp.Tests.Otp;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary>The README's walkthrough while the host runs: enroll (pending), confirm with a code from oathtool, log in.</summary>
public sealed partial class TotpSocketTests
{
    [Test]
    public async Task Enroll_then_confirm_through_the_running_host_then_the_user_logs_in()
    {
        var enrolled = await _host.RunCliAsync(["totp", "enroll", "alice"]);
        var secret = SecretInUri().Match(enrolled.Output).Groups[1].Value;
        var listed = await _host.RunCliAsync(["totp", "list"]);

        var wrong = await _host.RunCliAsync(["totp", "confirm", "alice", "123456"]);
        var confirmed = await _host.RunCliAsync(["totp", "confirm", "alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())]);
        _time.Advance(TimeSpan.FromSeconds(30));
        await using var client = await _host.CreateClientAsync();
        var login = await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())));

        Assert.That(enrolled.Output, Does.Contain("Pending until"));
        Assert.That(listed.Output, Does.Contain("pending until"));
        Assert.That(wrong.ExitCode, Is.EqualTo(1));
        Assert.That(wrong.Error, Does.Contain("not a current code"));
        Assert.That(confirmed.ExitCode, Is.Zero, confirmed.Error);
        Assert.That(confirmed.Output, Does.Contain("Confirmed"));
        Assert.That(login.Verdict, Is.EqualTo("ACCEPT"), login.ToString());
        Assert.That(_host.Logs, Has.None.Contains(secret));
    }
}
