using System.Net.Sockets;

namespace MfaHost.Client;

// The reading side: answer lines matched to the calls waiting for them; a closed connection fails them all.
public sealed partial class MfaHostClient
{
    private async Task ReadLoopAsync()
    {
        var buffer = new byte[16384];
        var filled = 0;
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await _stream.ReadAsync(buffer.AsMemory(filled));
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var start = 0;
                int newline;
                while ((newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
                {
                    Dispatch(buffer.AsSpan(start, newline - start));
                    start = newline + 1;
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                    filled -= start;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            failure = e;
        }

        _closed ??= new IOException($"the connection to MfaHost at {SocketPath} was closed", failure);
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(Closed(failure));
        }
    }

    private void Dispatch(ReadOnlySpan<byte> line)
    {
        if (ClientRpcLines.FindId(line) is { } id && _pending.TryGetValue(id, out var pending))
        {
            pending.TrySetResult(line.ToArray());
        }
    }
}
