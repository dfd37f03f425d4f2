using MfaHost.PluginSdk;

namespace MfaHost.Pipeline.Steps;

/// <summary>
/// The one-time password: from <c>mfa_password</c> or the <c>otp</c> attribute; when neither has one, a plugin that
/// takes one-time passwords on an interactive protocol (<c>interactive_protocols</c>) first asks for it (NEEDINFO
/// <c>otp</c>, <c>prompt</c>), where an empty answer means push. Without one, the plugin is asked for a push.
/// </summary>
internal sealed class OtpQuestionStep(ConversationAsker asker) : IAuthenticationStep
{
    public ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        switch (login.Answering)
        {
            case OtpConversation:
                return next(login with { Otp = NonEmpty(login.Answer) }, cancellationToken);
            case not null:
                return next(login, cancellationToken);
        }

        var request = login.Request;
        var otp = NonEmpty(request.MfaPassword) ?? NonEmpty(request.Attributes.GetValueOrDefault("otp"));
        if (otp is not null)
        {
            return next(login with { Otp = otp }, cancellationToken);
        }

        // Only a plugin that takes one-time passwords makes the user choose between a code and push.
        if (login.Instance.Capabilities.HasFlag(MfaCapabilities.Otp) && login.Settings.IsInteractive(request.Protocol))
        {
            var conversation = new OtpConversation { Instance = login.Instance.Name, Username = login.Username, MfaIdentity = login.MfaIdentity, Request = request };
            return ValueTask.FromResult(asker.Ask(login, conversation, MfaVerdict.NeedInfo(login.Settings.Prompt, "otp", login.Settings.DisableEcho)));
        }

        return next(login, cancellationToken);
    }

    internal static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
