using System.Globalization;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace TestPlugins.Misbehaving;

/// <summary>
/// Does what the user name says, to show what a plugin can do to the process it runs in: <c>failfast</c>
/// (Environment.FailFast), <c>recurse</c> (unbounded recursion: a stack overflow), <c>hog</c> (allocates without bound),
/// <c>hang</c> (blocks its thread for ever, ignoring cancellation), <c>throw</c>, <c>count</c> (increments a state counter
/// and answers it), <c>log</c> (logs a line). Anyone else is ACCEPTed.
/// Every answer carries the process id in its metadata (<c>pid</c>).
/// </summary>
[MfaPlugin("misbehaving")]
public sealed partial class MisbehavingClient(MfaPluginContext context) : MfaClient(context, "Misbehaving")
{
    private static readonly List<byte[]> Hoard = [];

    protected override ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken) => RunAsync(request, null, cancellationToken);

    protected override ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken) => RunAsync(request, otp, cancellationToken);

    private async ValueTask<MfaResult> RunAsync(MfaRequest request, string? otp, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string> { ["pid"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) };
        switch (request.Username)
        {
            case "failfast":
                Environment.FailFast("the misbehaving plugin failed fast");
                break;
            case "recurse":
                return Recurse(1) > 0;
            case "hog":
                while (true)
                {
                    var chunk = new byte[8 * 1024 * 1024];
                    Array.Fill(chunk, (byte)1);
                    lock (Hoard)
                    {
                        Hoard.Add(chunk);
                    }

                    Thread.Sleep(5);
                }

            case "hang":
                Thread.Sleep(Timeout.Infinite);
                break;
            case "throw":
                throw new InvalidOperationException("the misbehaving plugin threw");
            case "count":
                var count = await Context.State.IncrementAsync("count", Context.TimeProvider.GetUtcNow().AddMinutes(5), cancellationToken);
                metadata["count"] = count.ToString(CultureInfo.InvariantCulture);
                break;
            case "log":
                LogGreeting(Logger, request.Username);
                break;
        }

        return MfaVerdict.Accept(MfaReasons.Accepted, "ok") with { Metadata = metadata };
    }

    private static int Recurse(int depth)
    {
        Span<byte> frame = stackalloc byte[256];
        frame[0] = (byte)depth;
        return Recurse(depth + 1) + frame[0];
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "misbehaving: hello from {Username}")]
    private static partial void LogGreeting(ILogger logger, string username);
}
