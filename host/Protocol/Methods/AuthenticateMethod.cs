using MfaHost.Audit;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Rpc;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol.Methods;

/// <summary><c>authenticate</c>: decodes the params, runs the authentication pipeline, encodes the verdict.</summary>
internal sealed class AuthenticateMethod(IAuthenticationPipeline pipeline, DecisionAudit audit, TimeProvider timeProvider, ILogger<AuthenticateMethod> logger) : IGatewayMethod
{
    public string Name => "authenticate";

    public bool CountsTowardLimit => true;

    public async ValueTask<RpcResult> InvokeAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        var p = call.ReadParams(GatewayJsonContext.Default.AuthenticateParams);
        var request = new AuthenticationRequest
        {
            Plugin = GatewayCall.Required(p.Plugin, "plugin"),
            SessionId = GatewayCall.Required(p.SessionId, "session_id"),

            // Present but empty is the pipeline's to judge (DENY no_username); absent is a malformed request.
            Username = p.Username ?? GatewayCall.Required(null, "username"),
            MfaIdentity = p.MfaIdentity,
            MfaPassword = p.MfaPassword,
            Password = p.Password,
            Answer = p.Answer,
            ClientIp = p.ClientIp,
            Protocol = p.Protocol,
            Target = p.Target,
            Attributes = p.Attributes ?? (IReadOnlyDictionary<string, string>)EmptyAttributes,
        };

        var started = timeProvider.GetTimestamp();
        var cancellation = RequestCancellation.Of(cancellationToken);
        AuthenticateResult result;
        try
        {
            // WaitAsync: a plugin that ignores its token must not hold the answer (or anything else) up.
            result = ToResult(await pipeline.AuthenticateAsync(request, cancellationToken).WaitAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var elapsed = timeProvider.GetElapsedTime(started);
            var cause = cancellation?.Cause ?? CancellationCause.RequestTimeout;
            result = ToResult(new AuthenticationOutcome(
                CancellationAnswers.AnswerLogin(logger, cause, cancellation, request.Plugin, request.Username, request.SessionId, cancellation?.Elapsed ?? elapsed, cancellation?.Timeout ?? elapsed),
                null));
        }
        catch (UnknownPluginException e)
        {
            throw new RpcException(RpcErrorCodes.InvalidParams, e.Message, e.ReasonWord);
        }

        audit.Record(call, request, result, timeProvider.GetElapsedTime(started));
        return RpcResult.Of(result, GatewayJsonContext.Default.AuthenticateResult);
    }

    private static readonly Dictionary<string, string> EmptyAttributes = [];

    internal static AuthenticateResult ToResult(AuthenticationOutcome outcome)
    {
        var verdict = outcome.Verdict;
        var needInfo = verdict.IsNeedInfo;
        return new AuthenticateResult
        {
            Verdict = verdict.Kind switch
            {
                MfaVerdictKind.Accept => "ACCEPT",
                MfaVerdictKind.NeedInfo => "NEEDINFO",
                _ => "DENY",
            },
            Reason = verdict.Reason,
            Message = verdict.Kind == MfaVerdictKind.Deny && UniformDenial.Reasons.Contains(verdict.Reason) ? UniformDenial.Message : verdict.Message,
            Question = needInfo ? verdict.Question ?? string.Empty : null,
            Key = needInfo ? verdict.Key ?? "otp" : null,
            DisableEcho = needInfo ? verdict.DisableEcho : null,
            MfaIdentity = needInfo ? null : outcome.MfaIdentity,
            SessionToken = outcome.SessionToken,
            Metadata = verdict.Metadata.Count > 0 ? verdict.Metadata : null,
        };
    }
}
