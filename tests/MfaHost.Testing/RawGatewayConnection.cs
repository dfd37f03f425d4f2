using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MfaHost.Testing;

/// <summary>
/// A bare Unix socket to the host, for tests that speak the protocol byte for byte as a gateway
/// written in another language would: send literal lines, read answer lines.
/// </summary>
public sealed class RawGatewayConnection : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawGatewayConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    public static async Task<RawGatewayConnection> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return new RawGatewayConnection(socket);
    }

    /// <summary>Sends <paramref name="text"/> as is (add the <c>\n</c> yourself).</summary>
    public async Task SendAsync(string text) => await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends one line (a <c>\n</c> is added).</summary>
    public Task SendLineAsync(string line) => SendAsync(line + "\n");

    /// <summary>The next answer line, or null at end of stream. Fails after 30 s (or <paramref name="timeout"/>).</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _reader.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("no answer line from the host in time");
        }
    }

    /// <summary>The next answer line, parsed; fails at end of stream.</summary>
    public async Task<JsonElement> ReadMessageAsync(TimeSpan? timeout = null)
    {
        var line = await ReadLineAsync(timeout) ?? throw new IOException("the host closed the connection");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>Sends one request line and reads the next answer.</summary>
    public async Task<JsonElement> RequestAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadMessageAsync();
    }

    /// <summary>Stops sending (the host then answers what it has and closes), as <c>socat</c> does at the end of its input.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
