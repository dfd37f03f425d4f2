using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Pipeline;

/// <summary>Asks the user a question (NEEDINFO) and keeps the <see cref="Conversation"/> its answer continues; the steps that ask share it.</summary>
internal sealed class ConversationAsker(ConversationStore conversations, ILogger<AuthenticationPipeline> logger)
{
    private static readonly MfaVerdict Overloaded = MfaVerdict.Deny(ReasonWords.Overloaded, "Too many logins in progress, try again later");

    public AuthenticationOutcome Ask(LoginContext login, Conversation conversation, MfaVerdict question)
    {
        if (!conversations.TrySave(login.SessionId, conversation with { Served = login.Instance, ServedSettings = login.Settings }))
        {
            PipelineLog.ConversationsFull(logger, login.Instance.Name, conversations.Capacity, login.Username, login.SessionId);
            return login.Outcome(Overloaded);
        }

        PipelineLog.Asking(logger, login.Instance.Name, login.Username, question.Key ?? "otp", login.SessionId);
        return new AuthenticationOutcome(question, null);
    }
}
