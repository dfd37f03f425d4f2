using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.Access;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace MfaHost.Tests.Protocol;

/// <summary>Peer credentials and the access policy.</summary>
public class GatewayAccessTests
{
    [TestCase(0u, true)]
    [TestCase(1000u, true)]
    [TestCase(1001u, false)]
    [TestCase(65534u, false)]
    public void By_default_only_the_hosts_own_uid_and_root_may_call(uint uid, bool allowed)
    {
        var policy = new AccessPolicy(AccessRules.Default, hostUid: 1000);

        var decision = policy.Authorize(new PeerCredentials(4242, uid, 100), "authenticate");

        Assert.That(decision.Allowed, Is.EqualTo(allowed));
        if (!allowed)
        {
            Assert.That(decision.Reason, Is.EqualTo("caller_not_authorized"));
            Assert.That(decision.Message, Does.Contain($"uid {uid}").And.Contain("authenticate"));
        }
    }

    [Test]
    public void A_peer_whose_credentials_are_unknown_is_refused()
    {
        Assert.That(new AccessPolicy(AccessRules.Default, hostUid: 1000).Authorize(PeerCredentials.Unknown, "health").Allowed, Is.False);
    }

    [Test]
    public async Task The_policy_sees_the_callers_uid_and_pid_from_the_socket()
    {
        var seen = new List<PeerCredentials>();
        var policy = new Mock<AccessPolicy>(AccessRules.Default, 1000u);
        policy.Setup(p => p.Authorize(It.IsAny<PeerCredentials>(), It.IsAny<string>(), It.IsAny<string?>()))
            .Callback<PeerCredentials, string, string?>((peer, _, _) => seen.Add(peer))
            .Returns(AccessDecision.Allow);
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), services: s => s.AddSingleton(policy.Object));
        await using var client = await host.CreateClientAsync();

        await client.HealthAsync();

        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0].Uid, Is.EqualTo(UnixUser.EffectiveUid()));
        Assert.That(seen[0].Pid, Is.EqualTo(Environment.ProcessId));
    }

    [Test]
    public async Task A_refused_call_is_forbidden_with_the_policys_reason_and_an_audit_line()
    {
        var pipeline = MockedPipelineHost.Accepting();
        var policy = new Mock<AccessPolicy>(AccessRules.Default, 1000u);
        policy.Setup(p => p.Authorize(It.IsAny<PeerCredentials>(), "authenticate", It.IsAny<string?>()))
            .Returns(AccessDecision.Refuse("caller_not_authorized", "uid 1234 may not call 'authenticate'"));
        await using var host = await MockedPipelineHost.StartAsync(pipeline, services: s => s.AddSingleton(policy.Object));
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync(MockedPipelineHost.Authenticate);

        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32001));
            Assert.That(answer.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("caller_not_authorized"));
            Assert.That(host.Logs, Has.Some.Contains("Access refused: uid " + UnixUser.EffectiveUid()).And.Some.Contains("called authenticate: caller_not_authorized"));
        });
        pipeline.Verify(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }
}
