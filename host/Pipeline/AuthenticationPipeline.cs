using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>
/// Runs one <c>authenticate</c> call: finds the instance (or the conversation an answer continues), runs the
/// instance's chain of <see cref="IAuthenticationStep"/>s (<see cref="StepChains"/>; their order is
/// <c>Hosting/AuthenticationSteps</c>, described in <c>docs/pipeline.md</c>) and logs the decision once. How long a
/// session lives (end, idle expiry, eviction, slots) is <see cref="SessionLifetime"/>.
/// </summary>
internal sealed class AuthenticationPipeline : IAuthenticationPipeline, IAsyncDisposable
{
    private static readonly MfaVerdict Retired = MfaVerdict.Deny(ReasonWords.ShuttingDown, "The plugin instance was replaced; try again");
    private static readonly MfaVerdict StateUnavailable = MfaVerdict.Deny(ReasonWords.StateUnavailable, "The host's state store is unavailable, try again later");

    private readonly ActiveCatalog _catalog;
    private readonly StepChains _chains;
    private readonly ILogger _logger;

    public AuthenticationPipeline(ActiveCatalog catalog, ConversationStore conversations, SessionLifetime lifetime, IEnumerable<IAuthenticationStep> steps, ILogger<AuthenticationPipeline> logger)
    {
        _catalog = catalog;
        Conversations = conversations;
        Lifetime = lifetime;
        _chains = new StepChains(steps);
        _logger = logger;
    }

    internal ConversationStore Conversations { get; }

    internal SessionLifetime Lifetime { get; }

    /// <summary>Lets go of everything that still refers to a disposed instance (reload).</summary>
    internal void Forget(PluginInstance instance)
    {
        Conversations.Retire(instance);
        Lifetime.Forget(instance);
    }

    public async Task<AuthenticationOutcome> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await RouteAsync(request, cancellationToken);
        }
        catch (StateUnavailableException e)
        {
            // Fails closed whatever the instance's fail-open setting: that is about the MFA service, not our own state.
            StateLog.DecisionDenied(_logger, request.Plugin, request.Username, request.SessionId, e.Message);
            return Decided(request.Plugin, request, new AuthenticationOutcome(StateUnavailable, null));
        }
    }

    public Task<bool> SessionEndedAsync(string sessionId, CancellationToken cancellationToken) => Lifetime.EndAsync(sessionId, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Lifetime.DisposeAsync();
        foreach (var step in _chains.Steps)
        {
            (step as IDisposable)?.Dispose();
        }
    }

    private async Task<AuthenticationOutcome> RouteAsync(AuthenticationRequest request, CancellationToken cancellationToken)
    {
        if (request.Answer is { } answer)
        {
            switch (Conversations.TryTake(request.SessionId, out var conversation))
            {
                case ConversationLookup.Found when conversation!.Instance == request.Plugin && conversation.Username == request.Username:
                    return await ContinueAsync(conversation, request, answer, cancellationToken);
                case ConversationLookup.Found:
                    PipelineLog.ConversationMismatch(_logger, request.SessionId, request.Plugin, request.Username);
                    break;
                case ConversationLookup.Expired:
                    PipelineLog.NoConversation(_logger, request.SessionId, "it expired");
                    break;
                default:
                    PipelineLog.NoConversation(_logger, request.SessionId, "unknown or expired");
                    break;
            }
        }
        else
        {
            // A new attempt under the same session_id replaces whatever was still being asked.
            Conversations.Remove(request.SessionId);
        }

        // A reload may close the instance between the look-up and the start: then look again.
        while (true)
        {
            var (instance, settings) = Resolve(request.Plugin);
            if (instance.TryEnter())
            {
                var identity = request.MfaIdentity is { Length: > 0 } given ? given : request.Username;
                return await RunAsync(new LoginContext { Instance = instance, Settings = settings, Request = request, MfaIdentity = identity }, cancellationToken);
            }
        }
    }

    private async Task<AuthenticationOutcome> ContinueAsync(Conversation conversation, AuthenticationRequest followUp, string answer, CancellationToken cancellationToken)
    {
        if (conversation.Retired)
        {
            return Decided(conversation.Instance, conversation.Request, new AuthenticationOutcome(Retired, conversation.MfaIdentity));
        }

        var (instance, settings) = conversation is { Served: { } served, ServedSettings: { } servedSettings } ? (served, servedSettings) : Resolve(followUp.Plugin);
        if (!instance.TryEnter())
        {
            // The instance that asked was replaced and has drained for longer than drain_timeout.
            return Decided(instance.Name, conversation.Request, new AuthenticationOutcome(Retired, conversation.MfaIdentity));
        }

        // The login keeps the context of the request that started it; a primary password may come with either.
        var request = conversation.Request with { Password = followUp.Password ?? conversation.Request.Password, Answer = null };
        return await RunAsync(new LoginContext { Instance = instance, Settings = settings, Request = request, MfaIdentity = conversation.MfaIdentity, Answering = conversation, Answer = answer }, cancellationToken);
    }

    /// <summary>Runs the instance's chain for <paramref name="login"/>, whose instance the caller has entered.</summary>
    private async Task<AuthenticationOutcome> RunAsync(LoginContext login, CancellationToken cancellationToken)
    {
        try
        {
            return Decided(login.Instance.Name, login.Request, await _chains.For(login.Settings)(login, cancellationToken));
        }
        finally
        {
            login.Instance.Exit();
        }
    }

    /// <summary>Logs an ACCEPT or DENY once, as the gateway gets it.</summary>
    private AuthenticationOutcome Decided(string instance, AuthenticationRequest request, AuthenticationOutcome outcome)
    {
        var verdict = outcome.Verdict;
        if (!verdict.IsNeedInfo)
        {
            PipelineLog.Decided(_logger, instance, verdict.IsAccept ? "ACCEPT" : "DENY", verdict.Reason, request.Username, outcome.MfaIdentity, request.ClientIp, request.SessionId);
        }

        return outcome;
    }

    private (PluginInstance Instance, PipelineSettings Settings) Resolve(string plugin)
    {
        var catalog = _catalog.Current;
        if (!catalog.TryGet(plugin, out var instance))
        {
            throw new UnknownPluginException(plugin, null);
        }

        if (!instance.IsLoaded)
        {
            throw new UnknownPluginException(plugin, instance.Error ?? "it is not loaded");
        }

        return catalog.Settings.TryGet(instance.Name, out var settings, out var error)
            ? (instance, settings)
            : throw new UnknownPluginException(plugin, $"its pipeline configuration is wrong: {error}");
    }
}
