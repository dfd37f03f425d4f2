using System.IO.Pipelines;
using MfaHost.Rpc;

namespace MfaHost.Protocol;

/// <summary>The reading side of a connection: line framing, backpressure, frame/idle timeouts and the peer's end of stream.</summary>
internal sealed partial class GatewayConnection
{
    private PipeReader? _reader;

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        _reader = reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_cancellation.Token);
                if (result.IsCanceled)
                {
                    // Only CheckTimeouts cancels a pending read.
                    OnTimedOut();
                    return;
                }

                var buffer = result.Buffer;
                while (true)
                {
                    var status = JsonLineFraming.TryReadLine(ref buffer, _limits.MaxFrameBytes, out var line);
                    if (status == FrameStatus.Line)
                    {
                        _activity.LineCompleted();

                        // Backpressure: at the limit, this connection is not read until an answer is written.
                        if (!_slots.Wait(0))
                        {
                            await _slots.WaitAsync(_cancellation.Token);
                        }

                        OnLine(line);
                        continue;
                    }

                    if (status == FrameStatus.TooLong)
                    {
                        if (_throttle.ShouldLog("frame_too_large:" + Peer.Uid, out var heldBack))
                        {
                            ProtocolLog.FrameTooLarge(_logger, Id, Peer, _limits.MaxFrameBytes, heldBack);
                        }

                        _answers.Answer(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InvalidRequest, $"Invalid request: the line is longer than {_limits.MaxFrameBytes} bytes (max_frame_bytes); closing the connection", ReasonWords.FrameTooLarge), counted: false);
                        reader.AdvanceTo(result.Buffer.End);
                        Cancel();
                        return;
                    }

                    break;
                }

                if (result.IsCompleted)
                {
                    // A last line without its line feed still counts.
                    if (!buffer.IsEmpty)
                    {
                        if (!_slots.Wait(0))
                        {
                            await _slots.WaitAsync(_cancellation.Token);
                        }

                        OnLine(buffer);
                        buffer = buffer.Slice(buffer.End);
                    }

                    reader.AdvanceTo(buffer.End);
                    OnPeerEndOfStream();
                    return;
                }

                _activity.ReadEnded(unfinished: !buffer.IsEmpty);
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            _reader = null;
            await reader.CompleteAsync();
        }
    }

    private void OnTimedOut()
    {
        switch ((ConnectionTimeout)Volatile.Read(ref _timeout))
        {
            case ConnectionTimeout.Frame:
                if (_throttle.ShouldLog("frame_timeout:" + Peer.Uid, out var heldBack))
                {
                    ProtocolLog.FrameTimedOut(_logger, Id, Peer, _limits.FrameTimeout, heldBack);
                }

                _answers.Answer(RpcRequestParser.NullId, new RpcError(RpcErrorCodes.InvalidRequest, $"Invalid request: a line must arrive whole within {_limits.FrameTimeout.TotalSeconds} s of its first byte (frame_timeout); closing the connection", ReasonWords.FrameTimeout), counted: false);
                Cancel();
                break;
            case ConnectionTimeout.Idle:
                ProtocolLog.IdleClosed(_logger, Id, _limits.IdleTimeout);
                break;
        }
    }

    private void OnPeerEndOfStream()
    {
        // A full close cancels the peer's requests at once; a shutdown of its sending side only lets them finish.
        if (PeerHangup.HasHungUp(_socket))
        {
            Cancel();
        }
    }
}
