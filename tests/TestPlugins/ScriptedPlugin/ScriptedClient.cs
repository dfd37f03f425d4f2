using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace TestPlugins.Scripted;

/// <summary>
/// A plugin that does what its <c>[test]</c> section says, for failure tests and the load driver:
/// <c>delay</c> (seconds, on the host's clock), <c>outcome</c> = accept|deny|needinfo (NEEDINFO asks for
/// a code on push), <c>throw</c> = none|auth|communication|unreachable|crash, <c>ignore_cancellation</c>
/// = yes|no, <c>otp</c> = the one code accepted (any code when unset), <c>block</c> = seconds of real time the
/// plugin blocks the calling thread (Thread.Sleep) before it returns a task: a plugin that misbehaves (in
/// authentication, in its <c>block</c> admin operation, and with <c>block_session_end = yes</c> in session end).
/// </summary>
[MfaPlugin("test")]
[MfaPluginOptions("test", "delay", "outcome", "throw", "ignore_cancellation", "otp", "block", "block_session_end")]
public sealed partial class ScriptedClient : MfaClient
{
    private readonly TimeSpan _delay;
    private readonly string _outcome;
    private readonly string _throw;
    private readonly bool _ignoreCancellation;
    private readonly string? _expectedOtp;
    private readonly TimeSpan _block;
    private readonly bool _blockSessionEnd;

    public ScriptedClient(MfaPluginContext context)
        : base(context, "Test")
    {
        var section = context.Configuration.Section("test");
        _delay = section.GetSeconds("delay", TimeSpan.Zero);
        _outcome = OneOf(section, "outcome", "accept", "accept", "deny", "needinfo");
        _throw = OneOf(section, "throw", "none", "none", "auth", "communication", "unreachable", "crash");
        _ignoreCancellation = section.GetBool("ignore_cancellation", false);
        _expectedOtp = section.GetString("otp");
        _block = section.GetSeconds("block", TimeSpan.Zero);
        _blockSessionEnd = section.GetBool("block_session_end", false);
    }

    public override IReadOnlyList<MfaAdminOperation> AdminOperations { get; } = [new("block", "Blocks the calling thread for [test] block seconds")];

    public override ValueTask SessionEndedAsync(MfaSession session, CancellationToken cancellationToken)
    {
        if (_blockSessionEnd)
        {
            LogBlocking(Logger, Context.InstanceName, "end of " + session.Id);
            Thread.Sleep(_block);
            LogUnblocked(Logger, Context.InstanceName, "end of " + session.Id);
        }

        return ValueTask.CompletedTask;
    }

    protected override ValueTask<System.Text.Json.Nodes.JsonNode?> AdminAsync(string operation, System.Text.Json.Nodes.JsonObject arguments, CancellationToken cancellationToken)
    {
        LogBlocking(Logger, Context.InstanceName, "admin");
        Thread.Sleep(_block);
        LogUnblocked(Logger, Context.InstanceName, "admin");
        return ValueTask.FromResult<System.Text.Json.Nodes.JsonNode?>(null);
    }

    protected override ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken)
    {
        Block(request);
        return RunAsync(request, null, cancellationToken);
    }

    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        Block(request);
        return RunAsync(request, otp, cancellationToken);
    }

    // Deliberately wrong: blocks whatever thread called the plugin, before any task exists.
    private void Block(MfaRequest request)
    {
        if (_block > TimeSpan.Zero)
        {
            LogBlocking(Logger, Context.InstanceName, request.Session.Id);
            Thread.Sleep(_block);
            LogUnblocked(Logger, Context.InstanceName, request.Session.Id);
        }
    }

    private async ValueTask<MfaResult> RunAsync(MfaRequest request, string? otp, CancellationToken cancellationToken)
    {
        LogStarted(Logger, Context.InstanceName, request.Session.Id);
        using var watch = cancellationToken.Register(() => LogCancelled(Logger, Context.InstanceName, request.Session.Id));
        if (_delay > TimeSpan.Zero)
        {
            await Task.Delay(_delay, Context.TimeProvider, _ignoreCancellation ? CancellationToken.None : cancellationToken);
        }

        switch (_throw)
        {
            case "auth":
                throw new MfaAuthenticationFailure("the test service said no");
            case "communication":
                throw new MfaCommunicationError("the test service answered something unexpected");
            case "unreachable":
                throw new MfaServiceUnreachable("the test service is not reachable");
            case "crash":
                throw new InvalidOperationException("the test plugin crashed");
        }

        if (otp is not null)
        {
            return _expectedOtp is null || otp == _expectedOtp ? _outcome != "deny" : false;
        }

        return _outcome switch
        {
            "needinfo" => MfaVerdict.NeedInfo("Test code: ", "otp", disableEcho: true),
            "deny" => false,
            _ => true,
        };
    }

    private static string OneOf(IniSection section, string option, string defaultValue, params string[] allowed)
    {
        var value = section.GetString(option, defaultValue)!.Trim().ToLowerInvariant();
        return allowed.Contains(value)
            ? value
            : throw section.Error(option, $"'{value}' is not one of {string.Join(", ", allowed)}");
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "test plugin {Instance}: started for session {SessionId}")]
    private static partial void LogStarted(ILogger logger, string instance, string sessionId);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "test plugin {Instance}: blocking the calling thread for session {SessionId}")]
    private static partial void LogBlocking(ILogger logger, string instance, string sessionId);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "test plugin {Instance}: unblocked for session {SessionId}")]
    private static partial void LogUnblocked(ILogger logger, string instance, string sessionId);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "test plugin {Instance}: token cancelled for session {SessionId}")]
    private static partial void LogCancelled(ILogger logger, string instance, string sessionId);
}
