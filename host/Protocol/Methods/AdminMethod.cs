using System.Text.Json.Nodes;
using MfaHost.Administration;
using MfaHost.Audit;
using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.Rpc;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol.Methods;

/// <summary>
/// <c>admin</c> (<c>[access] admin_uids</c>, the host's own uid and root): runs a plugin instance's administrative
/// operation, for example the totp plugin's <c>enroll</c>, with JSON arguments and a JSON result.
/// </summary>
internal sealed class AdminMethod(ActiveCatalog catalog, HostSettings settings, TimeProvider timeProvider, ILoggerFactory loggerFactory, IAuditTrail audit) : IGatewayMethod
{
    private readonly AdminOperationRunner _runner = new(settings.RequestTimeout, timeProvider, loggerFactory.CreateLogger("MfaHost.Administration"));

    public string Name => "admin";

    public bool CountsTowardLimit => false;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.AdminParams);
        var instance = GatewayCall.Required(p.Instance, "instance");
        var operation = GatewayCall.Required(p.Operation, "operation");

        var record = AuditRecord.AdminOperation(
            call.Method, call.Peer, instance, catalog.Current.TryGet(instance, out var found) ? found.Type : null, operation, p.Arguments);
        try
        {
            var result = await _runner.RunAsync(catalog.Current, instance, operation, p.Arguments ?? [], cancellationToken);
            audit.Record(record);
            return RpcResult.Of(new AdminResult(instance, operation, result), GatewayJsonContext.Default.AdminResult);
        }
        catch (AdminOperationException e)
        {
            audit.Record(record with { Verdict = AuditRecord.Refused, Reason = e.Reason });
            var code = e.Reason switch
            {
                ReasonWords.OperationRefused => RpcErrorCodes.OperationRefused,
                ReasonWords.Timeout or ReasonWords.PluginUnavailable => RpcErrorCodes.InternalError,
                _ => RpcErrorCodes.InvalidParams,
            };
            throw new RpcException(code, e.Message, e.Reason);
        }
    }
}

internal sealed class AdminParams
{
    public string? Instance { get; init; }

    public string? Operation { get; init; }

    public JsonObject? Arguments { get; init; }
}

internal sealed record AdminResult(string Instance, string Operation, JsonNode? Result);
