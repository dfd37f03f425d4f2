using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace TestPlugins.Reloadable;

/// <summary>
/// The reload tests' plugin, built twice (<c>ReloadablePlugin.V1</c>, <c>.V2</c>) so that a plugin folder
/// can be replaced by a build that behaves differently: every answer names its <see cref="Build"/> and
/// the instance's <c>label</c>. A push waits <c>push_delay</c> seconds; the code <c>more</c> asks for a
/// second code (NEEDINFO <c>code2</c>); any other code is accepted. <c>session_ended</c> is logged. With
/// <c>construct_log</c> set, each construction appends a line to that file (to count constructions).
/// </summary>
[MfaPlugin("reloadable")]
[MfaPluginOptions("reloadable", "label", "push_delay", "construct_log")]
public sealed partial class ReloadableClient : MfaClient
{
#if V2
    public const string Build = "build 2";
#else
    public const string Build = "build 1";
#endif

    private readonly string _label;
    private readonly TimeSpan _pushDelay;

    public ReloadableClient(MfaPluginContext context)
        : base(context, "Reloadable")
    {
        var section = context.Configuration.Section("reloadable");
        _label = section.GetString("label", "-")!;
        _pushDelay = section.GetSeconds("push_delay", TimeSpan.Zero);
        if (section.GetString("construct_log") is { } log)
        {
            File.AppendAllText(log, $"{context.InstanceName} constructed\n");
        }
    }

    private string Answer(string what) => $"{Build} {_label} {what}";

    protected override async ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(_pushDelay, Context.TimeProvider, cancellationToken);
        return MfaVerdict.Accept(message: Answer("push"));
    }

    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        if (request.Attributes.ContainsKey("code2"))
        {
            return ValueTask.FromResult<MfaResult>(MfaVerdict.Accept(message: Answer("second code")));
        }

        return ValueTask.FromResult<MfaResult>(otp == "more"
            ? MfaVerdict.NeedInfo("Second code: ", "code2", disableEcho: true)
            : MfaVerdict.Accept(message: Answer("otp")));
    }

    public override ValueTask SessionEndedAsync(MfaSession session, CancellationToken cancellationToken)
    {
        LogSessionEnded(Logger, Context.InstanceName, Build, _label, session.Id);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 9100, Level = LogLevel.Information, Message = "reloadable {Instance} ({Build} {Label}): session {SessionId} ended")]
    private static partial void LogSessionEnded(ILogger logger, string instance, string build, string label, string sessionId);
}
