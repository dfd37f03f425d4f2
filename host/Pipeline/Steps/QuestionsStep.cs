using System.Collections.Frozen;
using MfaHost.Configuration;
using MfaHost.PluginSdk;

namespace MfaHost.Pipeline.Steps;

/// <summary>
/// <c>[question_N]</c>: after an ACCEPT, each configured question in turn (NEEDINFO, one per round trip); the answers
/// go to the gateway in the final ACCEPT's metadata, where the plugin's own metadata wins.
/// </summary>
internal sealed class QuestionsStep(ConversationAsker asker) : IAuthenticationStep
{
    public bool IsOn(PipelineSettings settings) => settings.Questions.Count > 0;

    public async ValueTask<AuthenticationOutcome> RunAsync(LoginContext login, NextStep next, CancellationToken cancellationToken)
    {
        if (login.Answering is QuestionsConversation asked)
        {
            var answers = new Dictionary<string, string>(asked.Answers, StringComparer.Ordinal)
            {
                [login.Settings.Questions[asked.Asked].Key] = login.Answer!,
            };
            return AskFrom(login, asked.Accepted, asked.Asked + 1, answers);
        }

        var outcome = await next(login, cancellationToken);
        return outcome.Verdict.IsAccept ? AskFrom(login, outcome.Verdict, 0, FrozenDictionary<string, string>.Empty) : outcome;
    }

    /// <summary>The question <paramref name="index"/>, or past the last one, the final ACCEPT.</summary>
    private AuthenticationOutcome AskFrom(LoginContext login, MfaVerdict accepted, int index, IReadOnlyDictionary<string, string> answers)
    {
        var questions = login.Settings.Questions;
        if (index < questions.Count)
        {
            var question = questions[index];
            var conversation = new QuestionsConversation
            {
                Instance = login.Instance.Name,
                Username = login.Username,
                MfaIdentity = login.MfaIdentity,
                Request = login.Request,
                Accepted = accepted,
                Asked = index,
                Answers = answers,
            };
            return asker.Ask(login, conversation, MfaVerdict.NeedInfo(question.Prompt, question.Key, question.DisableEcho));
        }

        return login.Outcome(WithAnswers(accepted, answers));
    }

    private static MfaVerdict WithAnswers(MfaVerdict accepted, IReadOnlyDictionary<string, string> answers)
    {
        var metadata = new Dictionary<string, string>(answers, StringComparer.Ordinal);
        foreach (var (key, value) in accepted.Metadata)
        {
            metadata[key] = value;
        }

        return accepted with { Metadata = metadata };
    }
}
