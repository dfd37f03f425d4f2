using System.Collections.Concurrent;
using System.Text.Json;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace MfaHost.Tests.Protocol;

/// <summary>Pipelining, limits, timeouts and cancellation through the real socket.</summary>
public class GatewayConcurrencyTests
{
    /// <summary>A pipeline whose calls wait until the test releases them, by session id.</summary>
    private sealed class GatedPipeline
    {
        public ConcurrentDictionary<string, TaskCompletionSource<AuthenticationOutcome>> Gates { get; } = new();

        public ConcurrentDictionary<string, CancellationToken> Tokens { get; } = new();

        public Mock<IAuthenticationPipeline> Mock { get; } = new();

        public GatedPipeline(bool honourCancellation = true)
        {
            Mock.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
                .Returns<AuthenticationRequest, CancellationToken>((request, token) =>
                {
                    Tokens[request.SessionId] = token;
                    var gate = Gate(request.SessionId);
                    return honourCancellation ? gate.Task.WaitAsync(token) : gate.Task;
                });
        }

        public TaskCompletionSource<AuthenticationOutcome> Gate(string sessionId) =>
            Gates.GetOrAdd(sessionId, _ => new TaskCompletionSource<AuthenticationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));

        public void Release(string sessionId, MfaVerdict verdict) => Gate(sessionId).TrySetResult(new AuthenticationOutcome(verdict, "alice"));
    }

    internal static async Task WaitForInFlightAsync(RunningHost host, int count)
    {
        await using var client = await host.CreateClientAsync();
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await client.HealthAsync(give.Token)).InFlight != count)
        {
            await Task.Delay(5, give.Token);
        }
    }

    [Test]
    public async Task Pipelined_requests_run_concurrently_and_are_answered_out_of_order_by_id()
    {
        var pipeline = new GatedPipeline();
        await using var host = await MockedPipelineHost.StartAsync(pipeline.Mock);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendAsync(MockedPipelineHost.AuthenticateLine(1, "first") + "\n" + MockedPipelineHost.AuthenticateLine("\"two\"", "second") + "\n");
        await WaitForInFlightAsync(host, 2);
        pipeline.Release("second", MfaVerdict.Deny());
        var firstAnswer = await gateway.ReadMessageAsync();
        pipeline.Release("first", MfaVerdict.Accept());
        var secondAnswer = await gateway.ReadMessageAsync();

        Assert.Multiple(() =>
        {
            Assert.That(firstAnswer.GetProperty("id").GetString(), Is.EqualTo("two"));
            Assert.That(firstAnswer.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("DENY"));
            Assert.That(secondAnswer.GetProperty("id").GetInt32(), Is.EqualTo(1));
            Assert.That(secondAnswer.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
        });
    }

    [Test]
    public async Task Many_concurrent_calls_on_one_client_connection_each_get_their_own_answer()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .Returns<AuthenticationRequest, CancellationToken>(async (r, _) =>
            {
                await Task.Yield();
                return new AuthenticationOutcome(MfaVerdict.Accept(message: r.SessionId), r.Username);
            });
        await using var host = await MockedPipelineHost.StartAsync(pipeline);
        await using var client = await host.CreateClientAsync();

        var calls = Enumerable.Range(0, 200).Select(i => client.AuthenticateAsync(new global::MfaHost.Client.AuthenticateParams { Plugin = "p", SessionId = $"s{i}", Username = $"u{i}" })).ToList();
        var results = await Task.WhenAll(calls);

        Assert.That(results.Select(r => r.Message), Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"s{i}")));
        Assert.That(results.Select(r => r.MfaIdentity), Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"u{i}")));
    }

    [Test]
    public async Task A_request_that_outlives_the_request_timeout_is_denied_with_reason_timeout()
    {
        var time = new FakeTimeProvider();
        var pipeline = new GatedPipeline();
        await using var host = await MockedPipelineHost.StartAsync(pipeline.Mock, "request_timeout = 30", time);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(1, "slow"));
        await WaitForInFlightAsync(host, 1);
        time.Advance(TimeSpan.FromSeconds(30));
        var answer = await gateway.ReadMessageAsync();

        Assert.That(answer.GetProperty("result").GetRawText(), Is.EqualTo("""{"verdict":"DENY","reason":"timeout","message":"No decision in time"}"""));
        Assert.That(pipeline.Tokens["slow"].IsCancellationRequested, Is.True, "the pipeline's token fired");
    }

    [Test]
    public async Task A_pipeline_that_ignores_cancellation_holds_up_neither_its_answer_nor_other_requests()
    {
        var time = new FakeTimeProvider();
        var pipeline = new GatedPipeline(honourCancellation: false);
        await using var host = await MockedPipelineHost.StartAsync(pipeline.Mock, "request_timeout = 30", time);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(1, "hung"));
        await WaitForInFlightAsync(host, 1);
        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(2, "quick"));
        await WaitForInFlightAsync(host, 2);
        pipeline.Release("quick", MfaVerdict.Accept());
        var quick = await gateway.ReadMessageAsync();
        time.Advance(TimeSpan.FromSeconds(30));
        var hung = await gateway.ReadMessageAsync();

        Assert.Multiple(() =>
        {
            Assert.That(quick.GetProperty("id").GetInt32(), Is.EqualTo(2));
            Assert.That(quick.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
            Assert.That(hung.GetProperty("id").GetInt32(), Is.EqualTo(1));
            Assert.That(hung.GetProperty("result").GetProperty("reason").GetString(), Is.EqualTo("timeout"));
            Assert.That(pipeline.Gate("hung").Task.IsCompleted, Is.False, "the pipeline is still hanging");
        });
    }

    [Test]
    public async Task Closing_the_connection_cancels_its_requests_at_once()
    {
        var pipeline = new GatedPipeline();
        await using var host = await MockedPipelineHost.StartAsync(pipeline.Mock);
        var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);
        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(1, "gone"));
        await WaitForInFlightAsync(host, 1);
        var cancelled = new TaskCompletionSource();
        pipeline.Tokens["gone"].Register(() => cancelled.TrySetResult());

        await gateway.DisposeAsync();

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitForInFlightAsync(host, 0);
        Assert.That(pipeline.Tokens["gone"].IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task After_the_gateway_stops_sending_its_requests_are_still_answered()
    {
        var pipeline = new GatedPipeline();
        await using var host = await MockedPipelineHost.StartAsync(pipeline.Mock);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(1, "half"));
        gateway.ShutdownSend();
        await WaitForInFlightAsync(host, 1);
        pipeline.Release("half", MfaVerdict.Accept());
        var answer = await gateway.ReadMessageAsync();
        var end = await gateway.ReadLineAsync();

        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
            Assert.That(pipeline.Tokens["half"].IsCancellationRequested, Is.False);
            Assert.That(end, Is.Null, "then the host closes the connection");
        });
    }

    [Test]
    public async Task At_max_in_flight_new_requests_are_refused_at_once_as_overloaded_while_health_is_still_answered()
    {
        var pipeline = new GatedPipeline();
        await using var host = await MockedPipelineHost.StartAsync(pipeline.Mock, "max_in_flight = 2");
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await gateway.SendAsync(MockedPipelineHost.AuthenticateLine(1, "a") + "\n" + MockedPipelineHost.AuthenticateLine(2, "b") + "\n");
        await WaitForInFlightAsync(host, 2);
        var refused = await gateway.RequestAsync(MockedPipelineHost.AuthenticateLine(3, "c"));
        var health = await gateway.RequestAsync("""{"jsonrpc":"2.0","id":4,"method":"health"}""");
        pipeline.Release("a", MfaVerdict.Accept());
        var first = await gateway.ReadMessageAsync();
        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(5, "d"));
        await WaitForInFlightAsync(host, 2);
        pipeline.Release("b", MfaVerdict.Accept());
        pipeline.Release("d", MfaVerdict.Accept());
        var rest = new[] { await gateway.ReadMessageAsync(), await gateway.ReadMessageAsync() };

        Assert.Multiple(() =>
        {
            Assert.That(refused.GetProperty("id").GetInt32(), Is.EqualTo(3));
            Assert.That(refused.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32002));
            Assert.That(refused.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("overloaded"));
            Assert.That(health.GetProperty("result").GetProperty("in_flight").GetInt32(), Is.EqualTo(2));
            Assert.That(first.GetProperty("id").GetInt32(), Is.EqualTo(1));
            Assert.That(pipeline.Gates.ContainsKey("c"), Is.False, "the refused request never reached the pipeline");
            Assert.That(rest.Select(r => r.GetProperty("id").GetInt32()), Is.EquivalentTo(new[] { 2, 5 }), "once a slot is free, a new request is admitted");
            Assert.That(rest.All(r => r.TryGetProperty("result", out _)), Is.True);
        });
    }

    [Test]
    public async Task A_line_longer_than_max_frame_bytes_is_refused_and_closes_only_that_connection()
    {
        var pipeline = new GatedPipeline();
        await using var host = await MockedPipelineHost.StartAsync(pipeline.Mock, "max_frame_bytes = 2048");
        await using var other = await RawGatewayConnection.ConnectAsync(host.SocketPath);
        await other.SendLineAsync(MockedPipelineHost.AuthenticateLine(1, "other"));
        await WaitForInFlightAsync(host, 1);
        await using var offender = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        await offender.SendLineAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"health","params":{"pad":"{{{new string('x', 3000)}}}"}}""");
        var refusal = await offender.ReadMessageAsync();
        var end = await offender.ReadLineAsync();
        pipeline.Release("other", MfaVerdict.Accept());
        var unaffected = await other.ReadMessageAsync();
        var stillServing = await other.RequestAsync("""{"jsonrpc":"2.0","id":2,"method":"health"}""");

        Assert.Multiple(() =>
        {
            Assert.That(refusal.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32600));
            Assert.That(refusal.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("frame_too_large"));
            Assert.That(refusal.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(end, Is.Null, "the offending connection is closed");
            Assert.That(unaffected.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
            Assert.That(stillServing.GetProperty("result").GetProperty("status").GetString(), Is.EqualTo("ok"));
        });
    }

    [Test]
    public async Task A_line_of_exactly_max_frame_bytes_is_served()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), "max_frame_bytes = 2048");
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);
        var prefix = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\",\"params\":{\"pad\":\"";
        var line = prefix + new string('x', 2048 - prefix.Length - 3) + "\"}}";
        Assert.That(line, Has.Length.EqualTo(2048));

        var answer = await gateway.RequestAsync(line);

        Assert.That(answer.TryGetProperty("result", out _), Is.True, answer.GetRawText());
        Assert.That(answer.GetProperty("result").GetProperty("status").GetString(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task A_silent_connection_does_not_delay_another()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var silent = await RawGatewayConnection.ConnectAsync(host.SocketPath);
        await silent.SendAsync("""{"jsonrpc":"2.0","id":1,"meth""");
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);

        var answer = await gateway.RequestAsync(MockedPipelineHost.Authenticate);

        Assert.That(answer.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
    }
}
