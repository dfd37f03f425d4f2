using System.Collections.Frozen;
using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>
/// The steps around a plugin, each configured per instance (<see cref="PipelineSettings"/>):
/// username → connection limit → whitelist → authentication cache → identity mapping → one-time password
/// (asked for on interactive protocols) → <see cref="IPrePluginStep"/>s → <see cref="IPluginCallFilter"/>s → the plugin → after ACCEPT: cache
/// refresh, <c>[question_N]</c>s, connection slot, <see cref="IAcceptStep"/>s. NEEDINFO round trips are
/// <see cref="Conversation"/>s by <c>session_id</c>; how long a session lives (end, idle expiry, eviction, slots) is <see cref="SessionLifetime"/>.
/// </summary>
internal sealed class AuthenticationPipeline : IAuthenticationPipeline, IAsyncDisposable
{
    private static readonly MfaVerdict NoUsername = MfaVerdict.Deny(MfaReasons.NoUsername, "No username identified");
    private static readonly MfaVerdict Whitelisted = MfaVerdict.Accept(MfaReasons.Whitelisted, "User whitelisted");
    private static readonly MfaVerdict Cached = MfaVerdict.Accept(MfaReasons.Cached, "cached authentication");
    private static readonly MfaVerdict ConnectionLimitReached = MfaVerdict.Deny(MfaReasons.ConnectionLimit, "Too many concurrent sessions");
    private static readonly MfaVerdict Overloaded = CancellationAnswers.Verdict(CancellationCause.Overloaded);
    private static readonly MfaVerdict Retired = CancellationAnswers.Verdict(CancellationCause.InstanceRetired);
    private static readonly MfaVerdict StateUnavailable = MfaVerdict.Deny(ReasonWords.StateUnavailable, "The host's state store is unavailable, try again later");

    private readonly ActiveCatalog _catalog;
    private readonly PluginCallGuard _guard;
    private readonly HostSettings _hostSettings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IPrePluginStep[] _prePluginSteps;
    private readonly IAcceptStep[] _acceptSteps;
    private readonly PluginCallDelegate _pluginCall;
    private readonly ConversationStore _conversations;
    private readonly SessionLifetime _lifetime;
    private readonly AuthenticationCache _cache;

    public AuthenticationPipeline(
        ActiveCatalog catalog,
        PluginCallGuard guard,
        HostSettings hostSettings,
        TimeProvider timeProvider,
        ILogger<AuthenticationPipeline> logger,
        IEnumerable<IPrePluginStep> prePluginSteps,
        IEnumerable<IAcceptStep> acceptSteps,
        IEnumerable<ISessionEndedListener> sessionEndedListeners,
        AuthenticationCache? cache = null,
        IEnumerable<IPluginCallFilter>? pluginCallFilters = null)
    {
        ArgumentNullException.ThrowIfNull(hostSettings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _catalog = catalog;
        _guard = guard;
        _hostSettings = hostSettings;
        _timeProvider = timeProvider;
        _logger = logger;
        _prePluginSteps = [.. prePluginSteps];
        _acceptSteps = [.. acceptSteps];
        _pluginCall = PluginCallChain.Build(pluginCallFilters ?? [], (call, token) => new ValueTask<MfaVerdict>(CallPluginAsync(call.Login, call.Attributes, token)));
        _conversations = new ConversationStore(timeProvider, hostSettings.ConversationTimeout);
        _lifetime = new SessionLifetime(_conversations, hostSettings, timeProvider, logger, sessionEndedListeners);
        _cache = cache ?? new AuthenticationCache(new InMemoryStateStore(timeProvider), timeProvider);
    }

    internal ConversationStore Conversations => _conversations;

    internal SessionLifetime Lifetime => _lifetime;

    /// <summary>Lets go of everything that still refers to a disposed instance (reload).</summary>
    internal void Forget(PluginInstance instance)
    {
        _conversations.Retire(instance);
        _lifetime.Forget(instance);
    }

    public async Task<AuthenticationOutcome> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await AuthenticateWithStateAsync(request, cancellationToken);
        }
        catch (StateUnavailableException e)
        {
            // Fails closed whatever the instance's fail-open setting: that is about the MFA service, not our own state.
            StateLog.DecisionDenied(_logger, request.Plugin, request.Username, request.SessionId, e.Message);
            PipelineLog.Decided(_logger, request.Plugin, "DENY", StateUnavailable.Reason, request.Username, null, request.ClientIp, request.SessionId);
            return new AuthenticationOutcome(StateUnavailable, null);
        }
    }

    private async Task<AuthenticationOutcome> AuthenticateWithStateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
    {
        if (request.Answer is { } answer)
        {
            switch (_conversations.TryTake(request.SessionId, out var conversation))
            {
                case ConversationLookup.Found when conversation!.Instance == request.Plugin && conversation.Username == request.Username:
                    return await ContinueOnServingInstanceAsync(conversation, request, answer, cancellationToken);
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
            _conversations.Remove(request.SessionId);
        }

        // A reload may close the instance between the look-up and the start: then look again.
        while (true)
        {
            var (instance, settings) = Resolve(request.Plugin);
            if (!instance.TryEnter())
            {
                continue;
            }

            try
            {
                return await StartAsync(instance, settings, request, cancellationToken);
            }
            finally
            {
                instance.Exit();
            }
        }
    }

    private async Task<AuthenticationOutcome> ContinueOnServingInstanceAsync(Conversation conversation, AuthenticationRequest request, string answer, CancellationToken cancellationToken)
    {
        if (conversation.Retired)
        {
            PipelineLog.Decided(_logger, conversation.Instance, "DENY", Retired.Reason, conversation.Username, conversation.MfaIdentity, conversation.Request.ClientIp, conversation.Request.SessionId);
            return new AuthenticationOutcome(Retired, conversation.MfaIdentity);
        }

        var (instance, settings) = conversation is { Served: { } served, ServedSettings: { } servedSettings } ? (served, servedSettings) : Resolve(request.Plugin);
        if (!instance.TryEnter())
        {
            // The instance that asked was replaced and has drained for longer than drain_timeout.
            return Decide(new LoginContext { Instance = instance, Settings = settings, Request = conversation.Request, MfaIdentity = conversation.MfaIdentity }, Retired);
        }

        try
        {
            return await ContinueAsync(instance, settings, conversation, request, answer, cancellationToken);
        }
        finally
        {
            instance.Exit();
        }
    }

    public Task<bool> SessionEndedAsync(string sessionId, CancellationToken cancellationToken) => _lifetime.EndAsync(sessionId, cancellationToken);

    public ValueTask DisposeAsync() => _lifetime.DisposeAsync();

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

    private async Task<AuthenticationOutcome> StartAsync(PluginInstance instance, PipelineSettings settings, AuthenticationRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Username))
        {
            PipelineLog.Decided(_logger, instance.Name, "DENY", NoUsername.Reason, request.Username, null, request.ClientIp, request.SessionId);
            return new AuthenticationOutcome(NoUsername, null);
        }

        var login = new LoginContext
        {
            Instance = instance,
            Settings = settings,
            Request = request,
            MfaIdentity = request.MfaIdentity is { Length: > 0 } given ? given : settings.UserMapping.Map(request.Username),
        };
        if (settings.ConnectionLimit > 0 && _lifetime.Slots.IsFull(SlotOf(login), request.SessionId, settings.ConnectionLimit))
        {
            return Decide(login, ConnectionLimitReached);
        }

        if (settings.Whitelist.IsWhitelisted(request.Username))
        {
            return await AcceptedAsync(login, Whitelisted, 0, FrozenDictionary<string, string>.Empty, cancellationToken);
        }

        if (CacheKeyOf(login) is { } cacheKey && await TryReuseCachedAsync(login, cacheKey, cancellationToken))
        {
            return await AcceptedAsync(login, Cached, 0, FrozenDictionary<string, string>.Empty, cancellationToken);
        }

        var otp = NonEmpty(request.MfaPassword) ?? NonEmpty(request.Attributes.GetValueOrDefault("otp"));
        // Only a plugin that takes one-time passwords makes the user choose between a code and push.
        if (otp is null && instance.Capabilities.HasFlag(MfaCapabilities.Otp) && settings.IsInteractive(request.Protocol))
        {
            var question = MfaVerdict.NeedInfo(settings.Prompt, "otp", settings.DisableEcho);
            return Ask(login, new OtpConversation { Instance = instance.Name, Username = request.Username, MfaIdentity = login.MfaIdentity, Request = request }, question);
        }

        return await PluginAsync(login with { Otp = otp }, request.Attributes, cancellationToken);
    }

    private async Task<AuthenticationOutcome> ContinueAsync(
        PluginInstance instance, PipelineSettings settings, Conversation conversation, AuthenticationRequest followUp, string answer, CancellationToken cancellationToken)
    {
        // The login keeps the context of the request that started it; a primary password may come with either.
        var request = conversation.Request with { Password = followUp.Password ?? conversation.Request.Password, Answer = null };
        var login = new LoginContext { Instance = instance, Settings = settings, Request = request, MfaIdentity = conversation.MfaIdentity };
        switch (conversation)
        {
            case OtpConversation:
                return await PluginAsync(login with { Otp = NonEmpty(answer) }, request.Attributes, cancellationToken);
            case PluginConversation asked when asked.Key == "otp":
                return await PluginAsync(login with { Otp = NonEmpty(answer) }, asked.Attributes, cancellationToken);
            case PluginConversation asked:
                var attributes = new Dictionary<string, string>(asked.Attributes, StringComparer.Ordinal) { [asked.Key] = answer };
                return await PluginAsync(login with { Otp = asked.Otp }, attributes, cancellationToken);
            case QuestionsConversation questions:
                var answers = new Dictionary<string, string>(questions.Answers, StringComparer.Ordinal)
                {
                    [settings.Questions[questions.Asked].Key] = answer,
                };
                return await AcceptedAsync(login, questions.Accepted, questions.Asked + 1, answers, cancellationToken);
            default:
                throw new InvalidOperationException($"unknown conversation {conversation.GetType().Name}");
        }
    }

    private async Task<AuthenticationOutcome> PluginAsync(LoginContext login, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        MfaVerdict? verdict = null;
        foreach (var step in _prePluginSteps)
        {
            verdict = await step.RunAsync(login, cancellationToken);
            if (verdict is not null)
            {
                break;
            }
        }

        verdict ??= await _pluginCall(new PluginCall(login, attributes), cancellationToken);
        if (verdict.IsNeedInfo)
        {
            var conversation = new PluginConversation
            {
                Instance = login.Instance.Name,
                Username = login.Username,
                MfaIdentity = login.MfaIdentity,
                Request = login.Request,
                Key = verdict.Key ?? "otp",
                Otp = login.Otp,
                Attributes = attributes,
            };
            return Ask(login, conversation, verdict);
        }

        if (!verdict.IsAccept)
        {
            return Decide(login, verdict);
        }

        // Failing open is no authentication to reuse.
        if (verdict.Reason != MfaReasons.AcceptedServiceUnreachable && CacheKeyOf(login) is { } cacheKey)
        {
            await RefreshCacheAsync(login, cacheKey, cancellationToken);
        }

        return await AcceptedAsync(login, verdict, 0, FrozenDictionary<string, string>.Empty, cancellationToken);
    }

    private async Task<MfaVerdict> CallPluginAsync(LoginContext login, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        var client = login.Instance.Client!;
        TrackedSession tracked;
        MfaSession? session;
        do
        {
            tracked = _lifetime.Track(login.SessionId);
            session = tracked.SessionFor(login.Instance);
        }
        while (session is null);

        var request = login.Request;
        var mfaRequest = new MfaRequest
        {
            Username = request.Username,
            MfaIdentity = login.MfaIdentity,
            MfaPassword = login.Otp,
            Password = request.Password,
            Session = session,
            ClientIp = request.ClientIp,
            Protocol = request.Protocol,
            Target = request.Target,
            PushNumber = login.PushNumber,
            Attributes = attributes,
        };
        return await _guard.AuthenticateAsync(login.Instance, login.Settings, mfaRequest, cancellationToken, tracked.EndedToken);
    }

    /// <summary>After an ACCEPT: the questions from <paramref name="next"/> on, then the final ACCEPT.</summary>
    private async Task<AuthenticationOutcome> AcceptedAsync(
        LoginContext login, MfaVerdict accepted, int next, IReadOnlyDictionary<string, string> answers, CancellationToken cancellationToken)
    {
        var questions = login.Settings.Questions;
        if (next < questions.Count)
        {
            var question = questions[next];
            var conversation = new QuestionsConversation
            {
                Instance = login.Instance.Name,
                Username = login.Username,
                MfaIdentity = login.MfaIdentity,
                Request = login.Request,
                Accepted = accepted,
                Asked = next,
                Answers = answers,
            };
            return Ask(login, conversation, MfaVerdict.NeedInfo(question.Prompt, question.Key, question.DisableEcho));
        }

        var session = _lifetime.Track(login.SessionId);
        var limit = login.Settings.ConnectionLimit;
        if (limit > 0)
        {
            if (!_lifetime.Slots.TryAcquire(SlotOf(login), login.SessionId, limit))
            {
                return Decide(login, ConnectionLimitReached);
            }

            if (session.IsEnded)
            {
                // session_ended overtook this ACCEPT: nothing will release the slot later.
                _lifetime.Slots.Release(login.SessionId);
            }
        }

        var outcome = new AuthenticationOutcome(WithAnswers(accepted, answers), login.MfaIdentity);
        foreach (var step in _acceptSteps)
        {
            outcome = await step.OnAcceptAsync(login, outcome, cancellationToken);
        }

        PipelineLog.Decided(_logger, login.Instance.Name, "ACCEPT", outcome.Verdict.Reason, login.Username, login.MfaIdentity, login.Request.ClientIp, login.SessionId);
        return outcome;
    }

    // The plugin's metadata wins: a user's answer must never replace what the plugin hands the gateway.
    private static MfaVerdict WithAnswers(MfaVerdict accepted, IReadOnlyDictionary<string, string> answers)
    {
        if (answers.Count == 0)
        {
            return accepted;
        }

        var metadata = new Dictionary<string, string>(answers, StringComparer.Ordinal);
        foreach (var (key, value) in accepted.Metadata)
        {
            metadata[key] = value;
        }

        return accepted with { Metadata = metadata };
    }

    private AuthenticationOutcome Ask(LoginContext login, Conversation conversation, MfaVerdict question)
    {
        if (!_conversations.TrySave(login.SessionId, conversation with { Served = login.Instance, ServedSettings = login.Settings }))
        {
            PipelineLog.ConversationsFull(_logger, login.Instance.Name, _conversations.Capacity, login.Username, login.SessionId);
            return Decide(login, Overloaded);
        }

        PipelineLog.Asking(_logger, login.Instance.Name, login.Username, question.Key ?? "otp", login.SessionId);
        return new AuthenticationOutcome(question, null);
    }

    private AuthenticationOutcome Decide(LoginContext login, MfaVerdict verdict)
    {
        PipelineLog.Decided(_logger, login.Instance.Name, verdict.IsAccept ? "ACCEPT" : "DENY", verdict.Reason, login.Username, login.MfaIdentity, login.Request.ClientIp, login.SessionId);
        return new AuthenticationOutcome(verdict, login.MfaIdentity);
    }

    // The cache only saves an MFA: without the store the login goes to the plugin (which fails closed itself if it needs state).
    private async ValueTask<bool> TryReuseCachedAsync(LoginContext login, AuthenticationCache.CacheKey key, CancellationToken cancellationToken)
    {
        try
        {
            return await _cache.TryReuseAsync(key, login.Settings.Cache, cancellationToken);
        }
        catch (StateUnavailableException e)
        {
            StateLog.CacheSkipped(_logger, login.Instance.Name, login.Username, e.Message);
            return false;
        }
    }

    private async ValueTask RefreshCacheAsync(LoginContext login, AuthenticationCache.CacheKey key, CancellationToken cancellationToken)
    {
        try
        {
            await _cache.RefreshAsync(key, login.Settings.Cache, cancellationToken);
        }
        catch (StateUnavailableException e)
        {
            StateLog.CacheSkipped(_logger, login.Instance.Name, login.Username, e.Message);
        }
    }

    // No client address: no reuse, since one user's logins from anywhere would share the entry.
    private static AuthenticationCache.CacheKey? CacheKeyOf(LoginContext login) =>
        login.Settings.Cache.Enabled && login.Request.ClientIp is { Length: > 0 } ip
            ? new AuthenticationCache.CacheKey(login.Instance.Name, login.Username, ip)
            : null;

    private static ConnectionLimiter.SlotKey SlotOf(LoginContext login) =>
        ConnectionLimiter.KeyOf(login.Instance.Name, login.Username, login.Request.ClientIp);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
