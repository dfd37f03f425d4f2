using System.Text.Json.Nodes;
using MfaHost.Client;
using MfaHost.Plugins.Totp.Tests.Otp;
using OtpNet;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary><c>mfahost totp import</c> through the running host: the input is sent in parts, the users then log in.</summary>
public sealed partial class TotpSocketTests
{
    private static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=');

    [Test]
    public async Task Users_imported_from_otpauth_uris_through_the_running_host_log_in_with_oathtool_codes()
    {
        // 2,000 URIs are about 200 KB: several parts of the 64 KB frame.
        var users = Enumerable.Range(0, 2000).Select(i => (User: $"user{i}", Secret: NewSecret())).ToList();
        var file = _data.Write("keys.txt", string.Join('\n', users.Select(u => $"otpauth://totp/Corp:{u.User}?secret={u.Secret}&issuer=Corp")) + "\n");

        var result = await _host.RunCliAsync(["totp", "import", file]);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Output, Does.Contain("Imported 2,000 enrollment(s)"));
        Assert.That(_host.Logs.Count(l => l.Contains("administrative operation 'import' done", StringComparison.Ordinal)), Is.GreaterThan(2), "sent in several parts");
        await using var client = await _host.CreateClientAsync();
        foreach (var (user, secret) in new[] { users[0], users[1000], users[^1] })
        {
            var verdict = await client.AuthenticateAsync(Otp(user, await Oathtool.TotpAsync(secret, _time.GetUtcNow())));
            Assert.That(verdict.Verdict, Is.EqualTo("ACCEPT"), user);
        }

        Assert.That(_host.Logs, Has.None.Contains(users[1000].Secret));
    }

    [Test]
    public async Task A_google_authenticator_folder_imports_through_the_running_host_with_its_scratch_codes()
    {
        var secret = NewSecret();
        _data.Write("ga/carol", $"{secret}\n\" RATE_LIMIT 3 30\n\" WINDOW_SIZE 17\n\" TOTP_AUTH\n11223344\n55667788\n");
        _data.Write("ga/dave", $"{NewSecret()}\n\" TOTP_AUTH\n");
        _data.Write("ga/.hidden", "not a state file\n");

        var result = await _host.RunCliAsync(["totp", "import", _data.Combine("ga")]);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Output, Does.Contain("Imported 2 enrollment(s)"));
        Assert.That(result.Error, Does.Contain("carol").And.Contain("WINDOW_SIZE 17"), "options MfaHost applies differently are noted");
        await using var client = await _host.CreateClientAsync();
        Assert.That((await client.AuthenticateAsync(Otp("carol", await Oathtool.TotpAsync(secret, _time.GetUtcNow())))).Verdict, Is.EqualTo("ACCEPT"));
        Assert.That((await client.AuthenticateAsync(Otp("carol", "55667788"))).Verdict, Is.EqualTo("ACCEPT"));
        Assert.That((await client.AuthenticateAsync(Otp("carol", "55667788"))).Verdict, Is.EqualTo("DENY"), "a scratch code works once");
    }

    [TestCase("import", "{\"parts\":\"x\"}", "invalid_arguments")]
    [TestCase("import", "{\"parts\":[{\"file\":\"f\",\"first_line\":0,\"text\":\"\"}]}", "invalid_arguments")]
    [TestCase("import", "{\"format\":\"pdf\",\"parts\":[]}", "invalid_arguments")]
    [TestCase("import", "{\"import\":\"0000\",\"parts\":[]}", "operation_refused")]
    [TestCase("import-finish", "{\"import\":\"0000\"}", "operation_refused")]
    [TestCase("import-finish", "{}", "invalid_arguments")]
    public async Task Hostile_import_calls_are_answered_with_a_reason(string operation, string arguments, string reason)
    {
        await using var client = await _host.CreateClientAsync();

        var error = Assert.ThrowsAsync<MfaHostRpcException>(() => client.CallAsync("admin", Admin(operation, JsonNode.Parse(arguments)!.AsObject())));

        Assert.That(error!.Reason, Is.EqualTo(reason), error.Message);
    }
}
