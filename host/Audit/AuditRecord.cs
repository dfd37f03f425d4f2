using System.Text.Json.Nodes;
using MfaHost.Access;

namespace MfaHost.Audit;

/// <summary>
/// One line of the audit trail: a decision (<c>authenticate</c>) or an administrator's action. Never a secret: no
/// password, code, answer, token, ticket or session credential has a field here. Time, host name, configuration
/// generation and the chain fields are added by <see cref="IAuditTrail"/>.
/// </summary>
/// <example>An admin action, from a gateway method: <c>audit.Record(AuditRecord.Admin(call.Method, call.Peer, "token_created") with { Username = user });</c></example>
internal sealed record AuditRecord
{
    public const string DecisionEvent = "decision";
    public const string AdminEvent = "admin";

    /// <summary><see cref="AdminEvent"/>'s verdict when the action was done.</summary>
    public const string Done = "OK";

    /// <summary><see cref="AdminEvent"/>'s verdict when the action was refused (<see cref="Reason"/> says why).</summary>
    public const string Refused = "REFUSED";

    /// <summary><see cref="DecisionEvent"/> or <see cref="AdminEvent"/>.</summary>
    public required string Event { get; init; }

    /// <summary>The socket method (<c>authenticate</c>, <c>token_create</c>, ...) or CLI command.</summary>
    public required string Method { get; init; }

    /// <summary>When it happened; the trail sets it when left default.</summary>
    public DateTimeOffset Time { get; init; }

    public uint? CallerUid { get; init; }

    public int? CallerPid { get; init; }

    /// <summary>What an admin record did: <c>token_created</c>, <c>ticket_issued</c>, <c>enrollment_changed</c>, <c>reload</c> ...</summary>
    public string? Action { get; init; }

    /// <summary>The plugin instance.</summary>
    public string? Plugin { get; init; }

    public string? PluginType { get; init; }

    public string? Username { get; init; }

    public string? MfaIdentity { get; init; }

    public string? ClientIp { get; init; }

    public string? Protocol { get; init; }

    public string? SessionId { get; init; }

    /// <summary>ACCEPT, DENY, NEEDINFO; for admin records <see cref="Done"/> or <see cref="Refused"/>.</summary>
    public string? Verdict { get; init; }

    public string? Reason { get; init; }

    /// <summary>A short non-secret detail of an admin action (an APPLID, an expiry).</summary>
    public string? Detail { get; init; }

    public double? LatencyMs { get; init; }

    /// <summary>An admin action done through <paramref name="method"/> by <paramref name="peer"/>; add the fields that apply with <c>with</c>.</summary>
    public static AuditRecord Admin(string method, PeerCredentials peer, string action, string verdict = Done)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return new AuditRecord
        {
            Event = AdminEvent,
            Method = method,
            CallerUid = peer.IsKnown ? peer.Uid : null,
            CallerPid = peer.IsKnown ? peer.Pid : null,
            Action = action,
            Verdict = verdict,
        };
    }

    /// <summary>
    /// A plugin instance's administrative operation run for <paramref name="peer"/> (through the socket or by the
    /// command line with no host running). Never its arguments (an enrollment's may hold a secret): only the user they name.
    /// </summary>
    public static AuditRecord AdminOperation(string method, PeerCredentials peer, string instance, string? pluginType, string operation, JsonObject? arguments) =>
        Admin(method, peer, "admin_operation") with
        {
            Plugin = instance,
            PluginType = pluginType,
            Username = UserNamed(arguments),
            Detail = "operation " + operation,
        };

    private static string? UserNamed(JsonObject? arguments)
    {
        foreach (var name in (string[])["user", "username"])
        {
            if (arguments?[name] is JsonValue value && value.TryGetValue<string>(out var user))
            {
                return user;
            }
        }

        return null;
    }
}
