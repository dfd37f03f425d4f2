using MfaHost.Limits;
using MfaHost.Pipeline;
using MfaHost.Pipeline.Steps;
using MfaHost.Tickets;

namespace MfaHost.Hosting;

/// <summary>
/// Every step of a login, in the order it runs: the one place to add a step (<c>docs/pipeline.md</c>). Each step
/// runs around the ones below it: what it does before calling <c>next</c> runs top to bottom, what it does with the
/// outcome (after an ACCEPT) bottom to top. A step whose <see cref="IAuthenticationStep.IsOn"/> is false for an
/// instance's settings is left out of that instance's chain.
/// </summary>
internal static class AuthenticationSteps
{
    public static AuthenticationStepOrder InOrder { get; } = new(
    [
        typeof(UsernameStep),            // DENY no_username
        typeof(IdentityMappingStep),     // [usermapping], [username_transform]
        typeof(SessionTokenStep),        // after a final ACCEPT: the session token
        typeof(ConnectionLimitStep),     // DENY connection_limit; after a final ACCEPT: takes a slot
        typeof(SessionTrackingStep),     // after a final ACCEPT: the session is tracked until it ends
        typeof(QuestionsStep),           // after an ACCEPT: [question_N], one NEEDINFO each
        typeof(WhitelistStep),           // ACCEPT whitelisted
        typeof(AuthenticationCacheStep), // ACCEPT cached; after an ACCEPT: a new cache entry
        typeof(OtpQuestionStep),         // NEEDINFO otp on interactive protocols
        typeof(PluginQuestionStep),      // a NEEDINFO from below becomes a conversation; its answer comes back here
        typeof(OneTimeTokenStep),        // a one-time token decides: ACCEPT one_time_token or DENY
        typeof(NumberMatchingStep),      // NEEDINFO push_number before a push
        typeof(LockoutStep),             // DENY locked_out; counts failures
        typeof(PushLimitStep),           // DENY push_rate_limited
        typeof(PluginStep),              // the plugin
    ]);

    /// <summary>The steps of the pipeline's own room, in the same order (a test host without tickets or limits).</summary>
    public static AuthenticationStepOrder PipelineOnly { get; } =
        new([.. InOrder.Steps.Where(step => step.Namespace == typeof(PluginStep).Namespace)]);
}
