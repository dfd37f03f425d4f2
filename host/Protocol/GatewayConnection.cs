using System.Net.Sockets;
using MfaHost.Logging;
using MfaHost.Access;
using Microsoft.Extensions.Logging;

namespace MfaHost.Protocol;

/// <summary>
/// One gateway connection: reads JSON Lines (<c>GatewayConnection.Reading.cs</c>), starts every request at once
/// (pipelined requests run concurrently; <c>GatewayConnection.Requests.cs</c>), and writes the answers as they finish,
/// one writer at a time (<see cref="ConnectionAnswerWriter"/>).
/// </summary>
/// <remarks>
/// <para>When the peer closes the connection, its requests are cancelled at once. When it only shuts down
/// its sending side (as <c>socat</c> does at the end of its input), the requests already sent are
/// answered first. When the host stops, requests are answered (DENY shutting_down if they had to be cancelled).</para>
/// <para>Bounded: at most <c>max_in_flight_per_connection</c> requests run or wait for their answer to be written;
/// at the limit the connection is not read until one is written (backpressure). <see cref="CheckTimeouts"/> (called by
/// the server's sweep) closes a connection idle for <c>connection_idle_timeout</c>, one whose answers are not read for
/// as long, and one that leaves a line unfinished for <c>frame_timeout</c>.</para>
/// </remarks>
internal sealed partial class GatewayConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly GatewayDispatcher _dispatcher;
    private readonly ConnectionLimits _limits;
    private readonly ConnectionActivity _activity;
    private readonly ConnectionAnswerWriter _answers;
    private readonly LogThrottle _throttle;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationTokenSource _writeAbort = new();
    private readonly SemaphoreSlim _slots;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private volatile bool _readingDone;
    private long _requests;
    private int _timeout;

    public GatewayConnection(long id, Socket socket, GatewayDispatcher dispatcher, ConnectionLimits limits, TimeProvider timeProvider, LogThrottle throttle, ILogger logger, CancellationToken hostAbort)
    {
        Id = id;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _dispatcher = dispatcher;
        _limits = limits;
        _throttle = throttle;
        _logger = logger;
        _slots = new SemaphoreSlim(limits.MaxInFlight, limits.MaxInFlight);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(hostAbort);
        _activity = new ConnectionActivity(limits, timeProvider);
        _answers = new ConnectionAnswerWriter(id, _stream, _slots, _activity, Cancel, logger, _writeAbort.Token);
        Peer = PeerCredentialReader.Read(socket);
    }

    public long Id { get; }

    public PeerCredentials Peer { get; }

    /// <summary>Requests running or with an answer waiting to be written.</summary>
    public int Outstanding => _limits.MaxInFlight - _slots.CurrentCount;

    /// <summary>Serves the connection until it closes, every request is answered and the answers are written.</summary>
    public async Task RunAsync()
    {
        ProtocolLog.ConnectionOpened(_logger, Id, Peer);
        var writing = _answers.RunAsync();
        try
        {
            await ReadLoopAsync();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The host is stopping (or the connection was given up): requests still running were cancelled and are answered below.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            ProtocolLog.ConnectionError(_logger, Id, e.Message);
            Cancel();
        }

        _readingDone = true;
        if (Volatile.Read(ref _pending) == 0)
        {
            _idle.TrySetResult();
        }

        await _idle.Task;
        _answers.Complete();
        await writing;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        await DisposeAsync();
        var requests = Interlocked.Read(ref _requests);
        ProtocolLog.ConnectionClosed(_logger, Id, requests);
    }

    /// <summary>Closes the connection at once (the host's shutdown deadline passed): reads and writes fail, requests are cancelled.</summary>
    public void Abort()
    {
        Cancel();
        CancelQuietly(_writeAbort);
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the connection when one of its timeouts has passed; called now and then by the server.</summary>
    public void CheckTimeouts()
    {
        if (Volatile.Read(ref _timeout) != 0)
        {
            return;
        }

        var kind = _activity.Due(Outstanding);
        if (kind == ConnectionTimeout.None || Interlocked.CompareExchange(ref _timeout, (int)kind, 0) != 0)
        {
            return;
        }

        if (kind == ConnectionTimeout.AnswersNotRead)
        {
            // Nothing can be written to a peer that does not read: drop its answers and close.
            if (_throttle.ShouldLog("answers_not_read:" + Peer.Uid, out var heldBack))
            {
                ProtocolLog.AnswersNotRead(_logger, Id, Peer, _limits.IdleTimeout, heldBack);
            }

            Abort();
            return;
        }

        // The reader sees a cancelled read and reacts to the timeout (OnTimedOut).
        try
        {
            _reader?.CancelPendingRead();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _cancellation.Dispose();
        _writeAbort.Dispose();
    }

    private void Cancel() => CancelQuietly(_cancellation);

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
