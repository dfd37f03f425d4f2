namespace MfaHost.Plugins.Hmc.Stomp;

/// <summary>
/// The client side of a short STOMP 1.2 session over a stream (TLS in practice): CONNECT, wait for
/// CONNECTED or ERROR, DISCONNECT with a receipt. Enough to prove that a broker accepts a login.
/// </summary>
internal sealed class StompConnection(Stream stream) : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[StompFrameCodec.MaxFrameSize + 1];
    private int _filled;

    /// <summary>
    /// Sends CONNECT (<c>accept-version:1.2</c>, <c>host</c>, <c>login</c>, <c>passcode</c>,
    /// <c>heart-beat:0,0</c>) and reads the answer.
    /// </summary>
    /// <returns>The CONNECTED frame.</returns>
    /// <exception cref="StompErrorException">The broker answered ERROR (its <c>message</c> header is in the exception).</exception>
    /// <exception cref="StompProtocolException">The broker answered something else, or closed the connection.</exception>
    public async Task<StompFrame> ConnectAsync(string virtualHost, string login, string passcode, CancellationToken cancellationToken)
    {
        var connect = new StompFrame(StompCommands.Connect,
        [
            new("accept-version", "1.2"),
            new("host", virtualHost),
            new("login", login),
            new("passcode", passcode),
            new("heart-beat", "0,0"),
        ]);
        await SendAsync(connect, cancellationToken);
        var answer = await ReadFrameAsync(cancellationToken)
                     ?? throw new StompProtocolException("the broker closed the connection without answering CONNECT");
        return answer.Command switch
        {
            StompCommands.Connected => answer,
            StompCommands.Error => throw new StompErrorException(answer),
            _ => throw new StompProtocolException($"the broker answered CONNECT with {answer.Command} instead of CONNECTED or ERROR"),
        };
    }

    /// <summary>Sends DISCONNECT with a receipt and waits for that RECEIPT (a close right after DISCONNECT counts too).</summary>
    /// <returns>True when the RECEIPT came; false when the broker closed the connection without one.</returns>
    /// <exception cref="StompErrorException">The broker answered ERROR.</exception>
    public async Task<bool> DisconnectAsync(string receiptId, CancellationToken cancellationToken)
    {
        await SendAsync(new StompFrame(StompCommands.Disconnect, [new("receipt", receiptId)]), cancellationToken);
        while (await ReadFrameAsync(cancellationToken) is { } frame)
        {
            if (frame.Command == StompCommands.Receipt && frame["receipt-id"] == receiptId)
            {
                return true;
            }

            if (frame.Command == StompCommands.Error)
            {
                throw new StompErrorException(frame);
            }
        }

        return false;
    }

    public async Task SendAsync(StompFrame frame, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(StompFrameCodec.Encode(frame), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    /// <exception cref="StompProtocolException">Bad bytes, or the connection closed inside a frame.</exception>
    public async Task<StompFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_filled > 0)
            {
                var complete = StompFrameCodec.TryDecode(_buffer.AsSpan(0, _filled), out var frame, out var consumed);
                if (consumed > 0)
                {
                    _buffer.AsSpan(consumed, _filled - consumed).CopyTo(_buffer);
                    _filled -= consumed;
                }

                if (complete)
                {
                    return frame;
                }
            }

            if (_filled == _buffer.Length)
            {
                throw new StompProtocolException($"a frame is larger than {StompFrameCodec.MaxFrameSize} bytes");
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_filled), cancellationToken);
            if (read == 0)
            {
                return _filled == 0 || _buffer.AsSpan(0, _filled).IndexOfAnyExcept("\r\n"u8) < 0
                    ? null
                    : throw new StompProtocolException("the connection closed in the middle of a frame");
            }

            _filled += read;
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
