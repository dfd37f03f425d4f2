using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;
using MfaHost.Testing;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>The API token and the users' codes never appear in a log line or a verdict, whatever happens.</summary>
public class AcmeClientSecretsTests
{
    private const string Code = "918273";

    [Test]
    public async Task Neither_the_token_nor_the_code_appears_in_logs_or_verdicts()
    {
        await using var server = await AcmeTestServer.StartAsync();
        using var temp = new TempDirectory();
        using var log = new CapturingLogger();
        var time = new SteppingTimeProvider();
        var users = new Dictionary<string, AcmeUser>
        {
            ["ok"] = new() { ValidOtp = Code, WaitingPolls = 1 },
            ["denied"] = new() { Push = PushDecision.Deny },
            ["e500"] = new() { OnOtp = AcmeFault.ServerError, OnPoll = AcmeFault.ServerError },
            ["garbage"] = new() { OnOtp = AcmeFault.GarbageJson, OnPushStart = AcmeFault.WrongShape },
            ["dropped"] = new() { OnOtp = AcmeFault.AbortMidResponse, OnPoll = AcmeFault.AbortBeforeResponse },
            ["limited"] = new() { OnOtp = AcmeFault.RateLimited },
            ["hang"] = new() { OnOtp = AcmeFault.Hang },
        };
        foreach (var (name, user) in users)
        {
            server.SetUser(name, user);
        }

        var verdicts = new List<MfaVerdict>();
        foreach (var token in new[] { server.Token, "wrong-9c1d7e0b44" })
        {
            var client = AcmeInstance.Create(temp, AcmeInstance.Ini(server.BaseUrl, "request_timeout = 3\n[logging]\nlog_level = trace\n"), time, log, token);
            foreach (var name in users.Keys.Append("unknown"))
            {
                foreach (var otp in new[] { null, Code, "000000" })
                {
                    verdicts.Add(await time.RunAsync(client.ExecuteAuthenticateAsync(AcmeInstance.Request(name, otp), CancellationToken.None), TimeSpan.FromSeconds(1)));
                }
            }
        }

        var seen = log.AllText + "\n" + string.Join("\n", verdicts.Select(v => v.ToString()));
        Assert.Multiple(() =>
        {
            Assert.That(verdicts.Select(v => v.Reason).Distinct(), Is.SupersetOf(new[]
            {
                MfaReasons.Accepted, MfaReasons.AuthenticationFailed, MfaReasons.CommunicationError, MfaReasons.ServiceUnreachable,
            }), "the scenarios cover every kind of outcome");
            Assert.That(server.Requests.Any(r => r.Body.Contains(Code, StringComparison.Ordinal)), Is.True, "the code was sent");
            Assert.That(seen, Does.Not.Contain(server.Token));
            Assert.That(seen, Does.Not.Contain("wrong-9c1d7e0b44"));
            Assert.That(seen, Does.Not.Contain(Code));
        });
    }
}
