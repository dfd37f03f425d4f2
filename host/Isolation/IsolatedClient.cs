using System.Text.Json.Nodes;
using MfaHost.Rpc;
using MfaHost.PluginSdk;
using MfaHost.State;

namespace MfaHost.Isolation;

/// <summary>
/// The host's stand-in for a plugin that runs in a worker process (<c>isolation = process</c>). The pipeline calls it
/// as it calls any client, so every host step (lock-out, limits, circuit, request_timeout, audit) runs in the host as for
/// an in-process plugin; only the plugin's own call is forwarded. A worker that is not there answers DENY
/// <c>plugin_unavailable</c> at once.
/// </summary>
internal sealed class IsolatedClient : MfaClient
{
    /// <summary>The verdict reason of an isolated instance whose worker is restarting.</summary>
    public const string PluginUnavailableReason = "plugin_unavailable";

    private readonly MfaCapabilities _capabilities;
    private readonly IReadOnlyList<MfaAdminOperation> _operations;

    public IsolatedClient(MfaPluginContext context, WorkerSupervisor worker, StartResult started)
        : base(context, started.Brand ?? context.InstanceName, started.IgnoreConnectionError)
    {
        Worker = worker;
        _capabilities = (MfaCapabilities)started.Capabilities;
        _operations = [.. (started.AdminOperations ?? []).Select(o => new MfaAdminOperation(o.Name, o.Description))];
    }

    public WorkerSupervisor Worker { get; }

    public override MfaCapabilities Capabilities => _capabilities;

    public override IReadOnlyList<MfaAdminOperation> AdminOperations => _operations;

    /// <summary>Why the instance's worker is not serving now; null when it is (or the instance is not isolated).</summary>
    public static string? RestartingReason(MfaClient? client) =>
        client is IsolatedClient { Worker: { State: WorkerState.Restarting } worker } ? worker.LastExitReason ?? "restarting" : null;

    public override async ValueTask SessionEndedAsync(MfaSession session, CancellationToken cancellationToken)
    {
        try
        {
            await Worker.CallAsync(WorkerMethods.SessionEnded, new SessionEndedCall(session.Id), WorkerJsonContext.Default.SessionEndedCall, WorkerJsonContext.Default.Empty, cancellationToken);
        }
        catch (WorkerUnavailableException)
        {
            // The session's state in the plugin went with its worker.
        }
        catch (RpcException e)
        {
            throw Rethrow(e, cancellationToken);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken) => ForwardAsync(request, cancellationToken);

    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) => ForwardAsync(request, cancellationToken);

    protected override async ValueTask<JsonNode?> AdminAsync(string operation, JsonObject arguments, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await Worker.CallAsync(WorkerMethods.Admin, new AdminCall(operation, arguments), WorkerJsonContext.Default.AdminCall, WorkerJsonContext.Default.AdminCallResult, cancellationToken);
            return answer.Result;
        }
        catch (WorkerUnavailableException e)
        {
            throw new MfaAdminException(MfaAdminErrorKind.Refused, $"{BrandName} is not available: {e.Message}; try again");
        }
        catch (RpcException e)
        {
            throw e.Reason switch
            {
                WorkerErrors.AdminInvalidArguments => new MfaAdminException(MfaAdminErrorKind.InvalidArguments, e.Message),
                WorkerErrors.AdminUnknownOperation => new MfaAdminException(MfaAdminErrorKind.UnknownOperation, e.Message),
                WorkerErrors.AdminRefused => new MfaAdminException(MfaAdminErrorKind.Refused, e.Message),
                _ => Rethrow(e, cancellationToken),
            };
        }
    }

    private async ValueTask<MfaResult> ForwardAsync(MfaRequest request, CancellationToken cancellationToken)
    {
        var call = new AuthenticateCall
        {
            SessionId = request.Session.Id,
            Username = request.Username,
            MfaIdentity = request.MfaIdentity,
            MfaPassword = request.MfaPassword,
            Password = request.Password,
            ClientIp = request.ClientIp,
            Protocol = request.Protocol,
            Target = request.Target,
            Attributes = request.Attributes.Count == 0 ? null : new Dictionary<string, string>(request.Attributes),
        };
        try
        {
            var verdict = await Worker.CallAsync(WorkerMethods.Authenticate, call, WorkerJsonContext.Default.AuthenticateCall, WorkerJsonContext.Default.VerdictResult, cancellationToken);
            return ToVerdict(verdict);
        }
        catch (WorkerUnavailableException)
        {
            return MfaVerdict.Deny(PluginUnavailableReason, $"{BrandName} is restarting, try again shortly");
        }
        catch (RpcException e) when (e.Reason == WorkerErrors.NotStarted)
        {
            return MfaVerdict.Deny(PluginUnavailableReason, $"{BrandName} is restarting, try again shortly");
        }
        catch (RpcException e)
        {
            throw Rethrow(e, cancellationToken);
        }
    }

    /// <summary>What the plugin's failure in the worker would have been in the host, for the host's guard to handle alike.</summary>
    private static Exception Rethrow(RpcException e, CancellationToken cancellationToken) => e.Reason switch
    {
        WorkerErrors.Cancelled => new OperationCanceledException(cancellationToken),
        WorkerErrors.PluginCancelled => new OperationCanceledException(e.Message),
        WorkerErrors.StateUnavailable => new StateUnavailableException(e.Message),
        _ => new IsolatedPluginException(e.Message),
    };

    private static MfaVerdict ToVerdict(VerdictResult result)
    {
        var verdict = result.Kind switch
        {
            "accept" => MfaVerdict.Accept(result.Reason, result.Message),
            "needinfo" => MfaVerdict.NeedInfo(result.Question ?? string.Empty, result.Key ?? "otp", result.DisableEcho, result.Message),
            _ => MfaVerdict.Deny(result.Reason, result.Message),
        };
        verdict = verdict with { Reason = result.Reason };
        return result.Metadata is { Count: > 0 } metadata ? verdict with { Metadata = metadata } : verdict;
    }
}
