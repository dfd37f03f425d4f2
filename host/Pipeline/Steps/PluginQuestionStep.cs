using MfaHost.PluginSdk;

namespace MfaHost.Pipeline.Steps;

/// <summary>
/// A NEEDINFO from the steps after it (the plugin's own question, number matching) becomes a conversation; its answer
/// comes back here and runs those steps again: as the one-time password when the key is <c>otp</c>, otherwise in the
/// plugin's attributes under the key.
/// </summary>
internal sealed class PluginQuestionStep(ConversationAsker asker) : IAuthenticationStep
{
    public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        if (login.Answering is PluginConversation asked)
        {
            login = asked.Key == "otp"
                ? login with { Otp = OtpQuestionStep.NonEmpty(login.Answer), Attributes = asked.Attributes }
                : login with
                {
                    Otp = asked.Otp,
                    Attributes = new Dictionary<string, string>(asked.Attributes, StringComparer.Ordinal) { [asked.Key] = login.Answer! },
                };
        }

        var outcome = await next(login, cancellationToken);
        if (!outcome.Verdict.IsNeedInfo)
        {
            return outcome;
        }

        var conversation = new PluginConversation
        {
            Instance = login.Instance.Name,
            Username = login.Username,
            MfaIdentity = login.MfaIdentity,
            Request = login.Request,
            Key = outcome.Verdict.Key ?? "otp",
            Otp = login.Otp,
            Attributes = login.Attributes,
        };
        return asker.Ask(login, conversation, outcome.Verdict);
    }
}
