using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MfaHost.Plugins.Hmc.Tests.TestServer;

/// <summary>
/// The test HMC's notification broker: STOMP 1.2 over TLS on 127.0.0.1:0. It answers CONNECT with
/// CONNECTED when <see cref="Authorize"/> accepts login and passcode, else with ERROR and closes; a
/// DISCONNECT with a receipt gets its RECEIPT. Its frame handling is written apart from the plugin's codec.
/// </summary>
public sealed class TestStompBroker : IAsyncDisposable
{
    /// <summary>The ERROR frame's message header as sent (escaped: <c>\c</c> is a colon).</summary>
    public const string RefusalMessageOnTheWire = "Access refused\\c invalid login or passcode";

    public const string RefusalMessage = "Access refused: invalid login or passcode";

    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<BrokerAttempt> _attempts = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    private TestStompBroker(TcpListener listener, X509Certificate2 certificate)
    {
        _listener = listener;
        _certificate = certificate;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Func<string?, string?, bool> Authorize { get; set; } = (_, _) => false;

    /// <summary>Every CONNECT received, in order.</summary>
    public IReadOnlyList<BrokerAttempt> Attempts => [.. _attempts];

    public static Task<TestStompBroker> StartAsync(X509Certificate2 certificate)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var broker = new TestStompBroker(listener, certificate);
        broker._acceptLoop = broker.AcceptLoopAsync();
        return Task.FromResult(broker);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            await using var ssl = new SslStream(client.GetStream());
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
            var reader = new FrameReader(ssl);
            var connect = await reader.ReadAsync(_stop.Token);
            if (connect is null || connect.Command != "CONNECT" && connect.Command != "STOMP")
            {
                await WriteAsync(ssl, "ERROR\nmessage:expected CONNECT\n\n\0");
                return;
            }

            var login = connect.Header("login");
            var passcode = connect.Header("passcode");
            var accepted = Authorize(login, passcode);
            _attempts.Enqueue(new BrokerAttempt(login, passcode, connect.Header("host"), connect.Header("accept-version"), connect.Header("heart-beat"), accepted));
            if (!accepted)
            {
                const string body = "The broker did not accept the login and passcode.";
                await WriteAsync(ssl, $"ERROR\nmessage:{RefusalMessageOnTheWire}\ncontent-type:text/plain\ncontent-length:{Encoding.UTF8.GetByteCount(body)}\n\n{body}\0");
                return;
            }

            await WriteAsync(ssl, "CONNECTED\nversion:1.2\nserver:TestHmcBroker/1.0\nheart-beat:0,0\n\n\0");
            while (await reader.ReadAsync(_stop.Token) is { } frame)
            {
                if (frame.Command == "DISCONNECT")
                {
                    if (frame.Header("receipt") is { } receipt)
                    {
                        await WriteAsync(ssl, $"RECEIPT\nreceipt-id:{receipt}\n\n\0");
                    }

                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // A client that goes away is not the broker's problem.
        }
    }

    private static async Task WriteAsync(Stream stream, string frame)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(frame));
        await stream.FlushAsync();
    }

    /// <summary>One CONNECT the broker received.</summary>
    public sealed record BrokerAttempt(string? Login, string? Passcode, string? Host, string? AcceptVersion, string? HeartBeat, bool Accepted);

    private sealed record Frame(string Command, List<KeyValuePair<string, string>> Headers)
    {
        public string? Header(string name) => Headers.Where(h => h.Key == name).Select(h => h.Value).FirstOrDefault();
    }

    // Reads NUL-terminated frames (no content-length bodies from clients here), skipping heart-beat EOLs.
    private sealed class FrameReader(Stream stream)
    {
        private readonly List<byte> _pending = [];

        public async Task<Frame?> ReadAsync(CancellationToken cancellationToken)
        {
            var chunk = new byte[4096];
            while (true)
            {
                var nul = _pending.IndexOf(0);
                if (nul >= 0)
                {
                    var text = Encoding.UTF8.GetString(_pending.GetRange(0, nul).ToArray()).TrimStart('\r', '\n');
                    _pending.RemoveRange(0, nul + 1);
                    var head = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", 2)[0];
                    var lines = head.Split('\n');
                    var headers = lines.Skip(1).Where(l => l.Length > 0)
                        .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':', StringComparison.Ordinal)], l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..]))
                        .ToList();
                    return new Frame(lines[0], headers);
                }

                var read = await stream.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    return null;
                }

                _pending.AddRange(chunk.AsSpan(0, read));
            }
        }
    }
}
