using System.IO.Pipelines;
using System.Text;
using MfaHost.Isolation;
using MfaHost.Rpc;
using MfaHost.Vocabulary;

namespace MfaHost.Tests.Isolation;

/// <summary>The host ↔ worker link on in-memory pipes: calls both ways, cancellation, garbage from the other side, closing.</summary>
public class RpcPeerTests
{
    private Pipe _toWorker = null!;
    private Pipe _toHost = null!;

    [SetUp]
    public void SetUp()
    {
        _toWorker = new Pipe();
        _toHost = new Pipe();
    }

    private RpcPeer Host(RpcPeer.Handler? handler = null, List<string>? badLines = null)
    {
        var peer = new RpcPeer(_toHost.Reader.AsStream(), _toWorker.Writer.AsStream(), handler ?? NoHandler, l => badLines?.Add(l));
        peer.Start();
        return peer;
    }

    private RpcPeer Worker(RpcPeer.Handler handler)
    {
        var peer = new RpcPeer(_toWorker.Reader.AsStream(), _toHost.Writer.AsStream(), handler, _ => { });
        peer.Start();
        return peer;
    }

    private static Task<RpcResult?> NoHandler(RpcRequest request, CancellationToken cancellationToken) =>
        throw new RpcException(RpcErrorCodes.MethodNotFound, "no", ReasonWords.UnknownMethod);

    private static Task<StateValue> GetAsync(RpcPeer peer, string key, CancellationToken cancellationToken = default) =>
        peer.CallAsync(WorkerMethods.StateGet, new StateKey(key), WorkerJsonContext.Default.StateKey, WorkerJsonContext.Default.StateValue, cancellationToken);

    [Test]
    public async Task Pipelined_calls_are_matched_to_their_answers_and_an_error_answer_is_an_RpcException()
    {
        await using var worker = Worker(async (request, ct) =>
        {
            var key = WorkerCalls.Read(request, WorkerJsonContext.Default.StateKey).Key;
            if (key == "refuse")
            {
                throw new RpcException(RpcErrorCodes.InternalError, "refused", "state_unavailable");
            }

            await Task.Delay(key == "slow" ? 200 : 0, ct);
            return RpcResult.Of(new StateValue("value of " + key), WorkerJsonContext.Default.StateValue);
        });
        await using var host = Host();

        var slow = GetAsync(host, "slow");
        var fast = GetAsync(host, "fast \"quoted\" ünïcode");
        var refused = Assert.ThrowsAsync<RpcException>(() => GetAsync(host, "refuse"));

        Assert.Multiple(async () =>
        {
            Assert.That((await fast).Value, Is.EqualTo("value of fast \"quoted\" ünïcode"));
            Assert.That(slow.IsCompleted, Is.False, "answers come back as they finish, not in order");
            Assert.That((await slow).Value, Is.EqualTo("value of slow"));
            Assert.That(refused!.Reason, Is.EqualTo("state_unavailable"));
        });
    }

    [Test]
    public async Task A_cancelled_call_returns_at_once_and_cancels_the_handler_on_the_other_side()
    {
        var handlerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = Worker(async (request, ct) =>
        {
            await using var registration = ct.Register(() => handlerCancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        await using var host = Host();
        using var cancellation = new CancellationTokenSource();

        var call = GetAsync(host, "k", cancellation.Token);
        await Task.Delay(50);
        await cancellation.CancelAsync();

        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
        await handlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(host.OldestAbandonedCall(), Is.EqualTo(TimeSpan.Zero).Within(TimeSpan.FromSeconds(1)), "the cancelled call was answered (cancelled) by the other side");
    }

    [Test]
    public async Task Garbage_from_the_other_side_is_reported_and_skipped_and_the_link_keeps_working()
    {
        var badLines = new List<string>();
        await using var host = Host(badLines: badLines);
        var writer = _toHost.Writer;
        await writer.WriteAsync(Encoding.UTF8.GetBytes("not json\n{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":{}}\n[1,2]\n\xff\xfe\n"));
        await using var worker = Worker((request, ct) => Task.FromResult<RpcResult?>(RpcResult.Of(new StateValue("ok"), WorkerJsonContext.Default.StateValue)));

        var answer = await GetAsync(host, "k").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(answer.Value, Is.EqualTo("ok"));
            Assert.That(badLines, Has.Count.EqualTo(3), "the answer to an unknown id is dropped silently; the other three lines are reported");
            Assert.That(host.IsClosed, Is.False);
        });
    }

    [Test]
    public async Task When_the_other_side_goes_away_waiting_calls_fail_at_once_with_WorkerUnavailableException()
    {
        var reasons = new List<string>();
        await using var worker = Worker(async (request, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        await using var host = Host();
        host.Closing = reasons.Add;
        var call = GetAsync(host, "k");

        await _toHost.Writer.CompleteAsync();

        Assert.That(async () => await call.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<WorkerUnavailableException>());
        Assert.That(async () => await GetAsync(host, "again"), Throws.InstanceOf<WorkerUnavailableException>());
        Assert.That(reasons, Is.EqualTo(new[] { "the other side closed the link" }));
    }

    [Test]
    public async Task A_line_longer_than_the_limit_closes_the_link()
    {
        await using var host = Host();
        var call = GetAsync(host, "k");
        // Not awaited: the rest of the line is never read once the link is closed.
        _ = _toHost.Writer.WriteAsync(new byte[17 * 1024 * 1024]).AsTask();

        Assert.That(async () => await call.WaitAsync(TimeSpan.FromSeconds(20)), Throws.InstanceOf<WorkerUnavailableException>());
        Assert.That(host.CloseReason, Does.Contain("longer than"));
    }
}
