using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;
using Moq;

namespace MfaHost.Tests.Hardening;

/// <summary>
/// Issue 13, "bounded everything": the connection cap, per-connection backpressure, the idle and partial-frame timeouts
/// and the rate-limited warnings, each against a real host with its limit lowered so the test runs in seconds.
/// </summary>
public class ConnectionLimitsTests
{
    private const string Health = """{"jsonrpc":"2.0","id":"h","method":"health"}""" + "\n";

    private static async Task<string?> HealthStatusAsync(RunningHost host)
    {
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);
        await connection.SendAsync(Health);
        var answer = await connection.ReadAnswerAsync();
        return answer.TryGetProperty("result", out var result) ? result.GetProperty("status").GetString() : answer.ToString();
    }

    private static Mock<IAuthenticationPipeline> Gated(TaskCompletionSource gate, ConcurrentBag<string>? started = null)
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .Returns<AuthenticationRequest, CancellationToken>(async (request, token) =>
            {
                started?.Add(request.SessionId);
                await gate.Task.WaitAsync(token);
                return new AuthenticationOutcome(MfaVerdict.Accept(), "alice");
            });
        return pipeline;
    }

    [Test]
    public async Task Beyond_max_connections_a_connection_is_told_why_and_closed_with_one_log_line_and_health_answers_once_one_closes()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), "max_connections = 3");
        var held = new List<ByteConnection>();
        for (var i = 0; i < 3; i++)
        {
            var connection = await ByteConnection.ConnectAsync(host.SocketPath);
            await connection.SendAsync(Health);
            await connection.ReadAnswerAsync();
            held.Add(connection);
        }

        for (var i = 0; i < 50; i++)
        {
            await using var refused = await ByteConnection.ConnectAsync(host.SocketPath);
            var answer = await refused.ReadAnswerAsync();
            Assert.That(answer.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("too_many_connections"));
            Assert.That(await refused.ReadLineBytesAsync(), Is.Null, "closed after the one line");
        }

        Assert.That(host.Logs.Count(l => l.Contains("Refused a connection")), Is.EqualTo(1), "one rate-limited line for 50 refusals");

        await held[0].DisposeAsync();

        // The host notices the close a moment later; until then a new connection is still refused.
        var status = await RetryAsync(async () => await HealthStatusAsync(host) is { } answer && !answer.Contains("too_many_connections") ? answer : null);
        Assert.That(status, Is.EqualTo("ok"));
        foreach (var connection in held.Skip(1))
        {
            await connection.DisposeAsync();
        }
    }

    [Test]
    public async Task An_idle_connection_is_closed_after_connection_idle_timeout_but_one_with_a_request_in_flight_is_not()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await MockedPipelineHost.StartAsync(Gated(gate), "connection_idle_timeout = 0.5");
        await using var idle = await ByteConnection.ConnectAsync(host.SocketPath);
        await using var busy = await ByteConnection.ConnectAsync(host.SocketPath);
        await busy.SendAsync(MockedPipelineHost.Authenticate + "\n");

        Assert.That(await idle.ClosedWithinAsync(TimeSpan.FromSeconds(20)), Is.True, "the idle connection is closed");
        Assert.That(await busy.ClosedWithinAsync(TimeSpan.FromSeconds(1.5)), Is.False, "a request in flight keeps its connection");

        gate.SetResult();
        var answer = await busy.ReadAnswerAsync();
        Assert.That(answer.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
        Assert.That(await busy.ClosedWithinAsync(TimeSpan.FromSeconds(20)), Is.True, "idle again once answered");
    }

    [Test]
    public async Task A_line_left_unfinished_for_frame_timeout_is_answered_frame_timeout_and_closed()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), "frame_timeout = 0.5");
        await using var slow = await ByteConnection.ConnectAsync(host.SocketPath);

        await slow.SendAsync("""{"jsonrpc":"2.0","id":1,"meth""");

        var answer = await slow.ReadAnswerAsync();
        Assert.That(answer.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("frame_timeout"));
        Assert.That(answer.GetProperty("id").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(await slow.ReadLineBytesAsync(), Is.Null);
        Assert.That(await HealthStatusAsync(host), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Slowloris_connections_sending_a_byte_at_a_time_are_closed_and_health_answers_meanwhile()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), "frame_timeout = 1\nmax_connections = 60");
        var line = Encoding.UTF8.GetBytes(MockedPipelineHost.Authenticate + "\n");
        var closed = 0;
        var slowloris = Enumerable.Range(0, 50).Select(async _ =>
        {
            await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);
            try
            {
                foreach (var b in line)
                {
                    await connection.SendAsync([b]);
                    await Task.Delay(100);
                }
            }
            catch (SocketException)
            {
                // Closed by the host while sending.
            }

            if (await connection.ClosedWithinAsync(TimeSpan.FromSeconds(20)))
            {
                Interlocked.Increment(ref closed);
            }
        }).ToList();

        await Task.Delay(300);
        Assert.That(await HealthStatusAsync(host), Is.EqualTo("ok"), "health answers during the attack");
        await Task.WhenAll(slowloris);

        Assert.That(closed, Is.EqualTo(50));
        Assert.That(host.Logs.Count(l => l.Contains("left a line unfinished")), Is.LessThanOrEqualTo(2), "rate-limited");
    }

    [Test]
    public async Task At_max_in_flight_per_connection_the_host_stops_reading_that_connection_and_resumes_when_answers_are_written()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new ConcurrentBag<string>();
        await using var host = await MockedPipelineHost.StartAsync(Gated(gate, started), "max_in_flight_per_connection = 4");
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);

        var lines = string.Concat(Enumerable.Range(0, 10).Select(i => MockedPipelineHost.AuthenticateLine(i, "s" + i) + "\n"));
        await connection.SendAsync(lines);
        await RetryAsync(() => Task.FromResult(started.Count == 4 ? "4" : null));
        await Task.Delay(300);
        Assert.That(started, Has.Count.EqualTo(4), "no more than the limit started from one connection");

        gate.SetResult();
        var ids = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await connection.ReadAnswerAsync()).GetProperty("id").GetInt32());
        }

        Assert.That(ids.Order(), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public async Task A_client_that_pipelines_without_reading_is_held_back_then_closed_and_health_answers_meanwhile()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), "max_in_flight_per_connection = 8\nconnection_idle_timeout = 2");
        using var flooder = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await flooder.ConnectAsync(new UnixDomainSocketEndPoint(host.SocketPath));
        flooder.SendTimeout = 0;
        var chunk = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Health, 1000)));

        // Write without ever reading: once the host stops reading, the kernel buffers fill and the writes stall.
        var writing = Task.Run(async () =>
        {
            long sent = 0;
            try
            {
                for (var i = 0; i < 1000; i++)
                {
                    sent += await flooder.SendAsync(chunk);
                }
            }
            catch (SocketException)
            {
                // Closed by the host.
            }

            return sent;
        });

        await Task.Delay(500);
        Assert.That(writing.IsCompleted, Is.False, "the host stopped reading the flooding connection");
        Assert.That(await HealthStatusAsync(host), Is.EqualTo("ok"));

        var sent = await writing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(sent, Is.LessThan(1000L * chunk.Length), "the host closed the connection rather than read it all");
        Assert.That(host.Logs, Has.Some.Contains("read none of its answers"));
    }

    [Test]
    public async Task Log_values_are_cut_to_256_characters_and_control_characters_are_escaped()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["noop"] = TestPluginHost.Noop });
        await using var connection = await ByteConnection.ConnectAsync(host.SocketPath);
        var user = "\\u001b[2J" + new string('x', 65_000);
        var notification = $$$"""{"jsonrpc":"2.0","method":"authenticate","params":{"plugin":"noop","session_id":"s","username":"{{{user}}}"}}""" + "\n";

        var payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(notification, 200)));
        await connection.SendAsync(payload);
        await connection.SendAsync(Health);
        await connection.ReadAnswerAsync();
        await RetryAsync(() => Task.FromResult(host.Logs.Count(l => l.Contains("xxxx")) >= 200 ? "done" : null));

        var lines = host.Logs.Where(l => l.Contains("xxxx")).ToList();
        Assert.That(lines, Has.All.Length.LessThan(2000), "a 65 KB user name costs a short line");
        Assert.That(lines, Has.None.Contains("\u001b"));
        Assert.That(lines, Has.All.Contains("\\u001b[2J"));
        Assert.That(lines, Has.All.Contains("more characters]"));
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T?>> attempt)
    {
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if (await attempt() is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is SocketException or IOException && !give.IsCancellationRequested)
            {
            }

            await Task.Delay(50, give.Token);
        }
    }
}
