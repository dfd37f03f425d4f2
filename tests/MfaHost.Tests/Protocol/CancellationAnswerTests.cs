using System.Text.Json;
using MfaHost.Reload;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Tests.Protocol;

/// <summary>
/// Every reason a request does not get its own answer, through the real socket and the real pipeline: the answer on
/// the wire is the one docs/protocol.md documents, and the cause is logged exactly once, naming the instance (event
/// 430) or the method (431).
/// </summary>
public class CancellationAnswerTests
{
    private const string Slow = "slow";

    [TestCase("request_timeout", """{"result":{"verdict":"DENY","reason":"timeout","message":"No decision in time"}}""", 430, "request_timeout (120 s) reached; answered DENY timeout")]
    [TestCase("session_ended", """{"result":{"verdict":"DENY","reason":"session_ended","message":"The session ended","mfa_identity":"alice"}}""", 430, "session_ended arrived while the plugin ran; answered DENY session_ended")]
    [TestCase("gateway_gone", null, 430, "the connection closed (the gateway gave up, or the host closed the connection); answered DENY timeout")]
    [TestCase("shutting_down", """{"result":{"verdict":"DENY","reason":"shutting_down","message":"The MFA service is restarting; try again"}}""", 430, "the host is shutting down; answered DENY shutting_down")]
    [TestCase("refused_while_stopping", """{"error":{"code":-32002,"message":"The host is shutting down; retry on another host","data":{"reason":"shutting_down"}}}""", 431, "the host is shutting down; answered -32002 shutting_down")]
    [TestCase("drained_after_reload", """{"result":{"verdict":"DENY","reason":"shutting_down","message":"The plugin instance was replaced; try again","mfa_identity":"alice"}}""", 430, "a reload replaced the instance and drain_timeout passed; answered DENY shutting_down")]
    [TestCase("overloaded", """{"error":{"code":-32002,"message":"The host is at its concurrency limit (max_in_flight); retry later","data":{"reason":"overloaded"}}}""", 431, "the host is at its concurrency limit (max_in_flight); answered -32002 overloaded")]
    // shutdown_timeout is long because the host also bounds its stop in real time (shutdown_timeout + 5 s): a busy machine must not cut it.
    public async Task Each_cause_gets_its_documented_answer_and_is_logged_once(string cause, string? expectedAnswer, int eventId, string expectedLog)
    {
        var time = new FakeTimeProvider();
        var host = await TestPluginHost.StartAsync(
            new Dictionary<string, string> { [Slow] = TestPluginHost.Scripted("delay = 600") },
            "request_timeout = 120\nshutdown_timeout = 60\ndrain_timeout = 2\nmax_in_flight = 2",
            time);
        try
        {
            await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);
            await gateway.SendLineAsync(Authenticate(1, "s1"));
            await GatewayConcurrencyTests.WaitForInFlightAsync(host, 1);

            JsonElement? answer = null;
            List<string>? logged = null;
            switch (cause)
            {
                case "request_timeout":
                    time.Advance(TimeSpan.FromSeconds(120));
                    answer = await gateway.ReadMessageAsync();
                    break;
                case "session_ended":
                    await gateway.SendLineAsync("""{"jsonrpc":"2.0","id":2,"method":"session_ended","params":{"session_id":"s1"}}""");
                    answer = await ReadAnswerAsync(gateway, 1);
                    break;
                case "gateway_gone":
                    await gateway.DisposeAsync();
                    await host.LogCapture.WaitForAsync(l => l.Contains($"[{eventId}]", StringComparison.Ordinal));
                    await GatewayConcurrencyTests.WaitForInFlightAsync(host, 0);
                    break;
                case "shutting_down":
                    var stopping = host.StopAsync();
                    await host.LogCapture.WaitForAsync(l => l.Contains("[308]", StringComparison.Ordinal));

                    // In steps: the host starts its drain timer just after line 308, and one jump made before that would be lost.
                    answer = await AdvanceUntilAnsweredAsync(gateway, time, TimeSpan.FromSeconds(1));
                    await stopping.WaitAsync(TimeSpan.FromSeconds(30));
                    break;
                case "refused_while_stopping":
                    var draining = host.StopAsync();
                    await host.LogCapture.WaitForAsync(l => l.Contains("[308]", StringComparison.Ordinal));
                    answer = await gateway.RequestAsync(Authenticate(2, "s2"));

                    // What the request in flight is answered when the stop cancels it is the shutting_down row.
                    logged = Cancellations(host);
                    time.Advance(TimeSpan.FromSeconds(60));
                    await draining.WaitAsync(TimeSpan.FromSeconds(30));
                    break;
                case "drained_after_reload":
                    File.WriteAllText(Path.Combine(host.Directory, "config", "plugins", Slow + ".ini"), TestPluginHost.Scripted("delay = 601"));
                    var reload = await host.Services.GetRequiredService<ConfigurationReloader>().ReloadAsync("test", CancellationToken.None);
                    Assert.That(reload.Applied, Is.True, "the reload took effect");
                    answer = await AdvanceUntilAnsweredAsync(gateway, time);
                    break;
                case "overloaded":
                    await gateway.SendLineAsync(Authenticate(2, "s2"));
                    await GatewayConcurrencyTests.WaitForInFlightAsync(host, 2);
                    answer = await gateway.RequestAsync(Authenticate(3, "s3"));
                    break;
                default:
                    Assert.Fail($"no driver for {cause}");
                    break;
            }

            var cancellations = logged ?? Cancellations(host);
            Assert.Multiple(() =>
            {
                Assert.That(answer is null ? null : WithoutEnvelope(answer.Value), Is.EqualTo(expectedAnswer));
                Assert.That(cancellations, Has.Count.EqualTo(1), "the cause is logged once:\n" + string.Join("\n", cancellations));
                Assert.That(cancellations, Has.One.Contains($"[{eventId}]").And.Contains(expectedLog));
                if (eventId == 430)
                {
                    Assert.That(cancellations, Has.One.Contains($"{Slow}: the request for user alice (session s1) was cancelled after"), "the line names the instance");
                }
                else
                {
                    Assert.That(cancellations, Has.One.Contains("Request authenticate on connection "), "the line names the method");
                }
            });
        }
        finally
        {
            // What still runs waits for shutdown_timeout on the host's clock.
            var stopping = host.StopAsync();
            for (var i = 0; i < 100 && !stopping.IsCompleted; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(stopping, Task.Delay(50));
            }

            await host.DisposeAsync();
        }
    }

    private static List<string> Cancellations(RunningHost host) =>
        host.Logs.Where(l => l.Contains("[430]", StringComparison.Ordinal) || l.Contains("[431]", StringComparison.Ordinal)).ToList();

    private static string Authenticate(int id, string session) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"authenticate","params":{"plugin":"{{{Slow}}}","session_id":"{{{session}}}","username":"alice"}}""";

    // The result or error of an answer, without jsonrpc and id.
    private static string WithoutEnvelope(JsonElement answer) =>
        answer.TryGetProperty("result", out var result) ? $$"""{"result":{{result.GetRawText()}}}""" : $$"""{"error":{{answer.GetProperty("error").GetRawText()}}}""";

    private static async Task<JsonElement> ReadAnswerAsync(RawGatewayConnection gateway, int id)
    {
        while (true)
        {
            var message = await gateway.ReadMessageAsync();
            if (message.GetProperty("id").GetInt32() == id)
            {
                return message;
            }
        }
    }

    // The drain polls on the host's clock: move it on until the request that ran on the replaced instance is answered.
    private static async Task<JsonElement> AdvanceUntilAnsweredAsync(RawGatewayConnection gateway, FakeTimeProvider time, TimeSpan? step = null)
    {
        var reading = gateway.ReadMessageAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 100 && !reading.IsCompleted; i++)
        {
            time.Advance(step ?? TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(reading, Task.Delay(50));
        }

        return await reading;
    }
}
