using System.Collections.Concurrent;
using MfaHost.PluginSdk;

namespace MfaHost.Tests.Pipeline;

/// <summary>A plugin whose answers a test scripts; it records what it was asked and which sessions ended.</summary>
internal sealed class ScriptedClient(MfaPluginContext context) : MfaClient(context, "Scripted")
{
    /// <summary>The answer to each call (the one-time password is null for push); default ACCEPT.</summary>
    public Func<MfaRequest, string?, MfaResult> Script { get; set; } = (_, _) => true;

    /// <summary>When set, used instead of <see cref="Script"/>: a plugin that takes its time.</summary>
    public Func<MfaRequest, string?, CancellationToken, Task<MfaResult>>? AsyncScript { get; set; }

    public ConcurrentQueue<MfaRequest> Calls { get; } = new();

    /// <summary>Replaces the capabilities the SDK derives (push and OTP here), e.g. to play a password-only plugin.</summary>
    public MfaCapabilities? CapabilitiesOverride { get; set; }

    public override MfaCapabilities Capabilities => CapabilitiesOverride ?? base.Capabilities;

    public ConcurrentQueue<MfaSession> Ended { get; } = new();

    public Func<MfaSession, ValueTask> OnSessionEnded { get; set; } = _ => ValueTask.CompletedTask;

    public MfaRequest LastCall => Calls.Last();

    public override async ValueTask SessionEndedAsync(MfaSession session, CancellationToken cancellationToken)
    {
        Ended.Enqueue(session);
        await OnSessionEnded(session);
    }

    protected override ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, null, cancellationToken);

    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) =>
        RunAsync(request, otp, cancellationToken);

    private async ValueTask<MfaResult> RunAsync(MfaRequest request, string? otp, CancellationToken cancellationToken)
    {
        Calls.Enqueue(request);
        return AsyncScript is { } slow ? await slow(request, otp, cancellationToken) : Script(request, otp);
    }
}
