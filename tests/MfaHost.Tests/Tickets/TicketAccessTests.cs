using System.Collections.Frozen;
using System.Text;
using MfaHost.Configuration;
using MfaHost.Access;
using MfaHost.Protocol.Methods;
using MfaHost.Rpc;
using MfaHost.State;
using MfaHost.Tickets;
using Microsoft.Extensions.Logging.Abstractions;

namespace MfaHost.Tests.Tickets;

/// <summary>The uid rules through their seam (the peer credentials a connection carries).</summary>
public class TicketAccessTests
{
    private const uint HostUid = 1000;

    private static readonly AccessRules Rules = new()
    {
        GatewayUids = new uint[] { 2001 }.ToFrozenSet(),
        AdminUids = new uint[] { 2002 }.ToFrozenSet(),
        TicketUids = new uint[] { 2003, 2004 }.ToFrozenSet(),
        TicketApplids = new Dictionary<uint, FrozenSet<string>> { [2003] = new[] { "CICSPROD" }.ToFrozenSet() }.ToFrozenDictionary(),
    };

    private static PeerCredentials Peer(uint uid) => new(99, uid, uid);

    [TestCase(0u, "token_create", true)]
    [TestCase(HostUid, "ticket", true)]
    [TestCase(2001u, "authenticate", true)]
    [TestCase(2001u, "health", true)]
    [TestCase(2001u, "token_create", false)]
    [TestCase(2002u, "token_create", true)]
    [TestCase(2002u, "authenticate", false)]
    [TestCase(2002u, "admin", true)]
    [TestCase(2001u, "admin", false)]
    [TestCase(2003u, "admin", false)]
    [TestCase(HostUid, "admin", true)]
    [TestCase(2003u, "ticket_verify", true)]
    [TestCase(2003u, "session_ended", false)]
    [TestCase(3000u, "health", false)]
    [TestCase(2002u, "reload", true)]
    [TestCase(2001u, "reload", false)]
    [TestCase(2003u, "reload", false)]
    [TestCase(HostUid, "reload", true)]
    public void Each_list_grants_its_methods_and_the_owner_and_root_everything(uint uid, string method, bool allowed)
    {
        var decision = new AccessPolicy(Rules, HostUid).Authorize(Peer(uid), method);
        Assert.That(decision.Allowed, Is.EqualTo(allowed));
        if (!allowed)
        {
            Assert.That(decision.Reason, Is.EqualTo("caller_not_authorized"));
            Assert.That(decision.Message, Does.Contain($"uid {uid}").And.Contain("[access]"));
        }
    }

    [TestCase(2003u, "ticket", "IMSPROD", "applid_not_allowed")]
    [TestCase(2003u, "ticket", "CICSPROD", null)]
    [TestCase(2004u, "ticket", "IMSPROD", null)]
    [TestCase(0u, "ticket", "IMSPROD", null)]
    [TestCase(2001u, "ticket", "CICSPROD", "caller_not_authorized")]
    public void The_one_policy_also_answers_for_the_applid_asked_for(uint uid, string method, string applid, string? refusal)
    {
        var decision = new AccessPolicy(Rules, HostUid).Authorize(Peer(uid), method, applid);

        Assert.That(decision.Allowed ? null : decision.Reason, Is.EqualTo(refusal));
    }

    [TestCase(2003u, "IMSPROD", "applid_not_allowed")]
    [TestCase(2003u, "cicsprod", null)]
    [TestCase(2004u, "IMSPROD", null)]
    [TestCase(HostUid, "IMSPROD", null)]
    public async Task A_ticket_caller_gets_tickets_only_for_its_applids(uint uid, string applid, string? refusal)
    {
        var time = TimeProvider.System;
        var store = new InMemoryStateStore(time);
        var settings = new TicketSettings();
        var sessions = new SessionTokenService(store, settings, time);
        var method = new TicketMethod(
            new TicketService(store, new StateReplayStore(store), sessions, settings, time),
            new AccessPolicy(Rules, HostUid),
            MfaHost.Audit.NoAuditTrail.Instance,
            NullLoggerFactory.Instance);
        var body = Encoding.UTF8.GetBytes($"{{\"session_token\":\"{sessions.Issue("alice", "noop", "s1")}\",\"applid\":\"{applid}\"}}");

        string? reason = null;
        try
        {
            await method.InvokeAsync(new GatewayCall("ticket", body, Peer(uid)), CancellationToken.None);
        }
        catch (RpcException e)
        {
            Assert.That(e.Code, Is.EqualTo(-32001));
            reason = e.Reason;
        }

        Assert.That(reason, Is.EqualTo(refusal));
    }
}
