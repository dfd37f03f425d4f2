using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace MfaHost.Tests.Hardening;

/// <summary>
/// A bare socket to the host that sends raw bytes (including bytes that are not UTF-8) and reads answers as bytes, so a
/// test can check that every answer line is valid UTF-8 JSON before anything decodes it.
/// </summary>
internal sealed class ByteConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[65536];

    private ByteConnection(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    public static async Task<ByteConnection> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return new ByteConnection(socket);
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>The next line's bytes (without <c>\n</c>), or null at end of stream; fails after <paramref name="timeout"/>.</summary>
    public async Task<byte[]?> ReadLineBytesAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var end = _pending.IndexOf((byte)'\n');
            if (end >= 0)
            {
                var line = _pending.GetRange(0, end).ToArray();
                _pending.RemoveRange(0, end + 1);
                return line;
            }

            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException("no answer line from the host in time");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                read = 0;
            }

            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(_buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>The next answer: asserted valid UTF-8 and valid JSON before it is parsed.</summary>
    public async Task<JsonElement> ReadAnswerAsync(TimeSpan? timeout = null)
    {
        var line = await ReadLineBytesAsync(timeout) ?? throw new IOException("the host closed the connection");
        Assert.That(Utf8.IsValid(line), Is.True, "the answer is not valid UTF-8: " + Convert.ToHexString(line));
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>True when the host closed the connection (end of stream) within <paramref name="timeout"/>, skipping any lines before.</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout)
    {
        try
        {
            while (await ReadLineBytesAsync(timeout) is not null)
            {
            }

            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
