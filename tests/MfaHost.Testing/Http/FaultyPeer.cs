using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MfaHost.Testing.Http;

/// <summary>How a <see cref="FaultyPeer"/> misbehaves.</summary>
public enum PeerFault
{
    /// <summary>Nothing listens on the port: connections are refused.</summary>
    ClosedPort,

    /// <summary>A TCP listener that accepts and never sends a byte (the TLS handshake or the answer never comes).</summary>
    Silent,

    /// <summary>A TCP listener that answers any connection with bytes that are neither TLS nor HTTP.</summary>
    Garbage,

    /// <summary>Kestrel over HTTPS (a valid certificate) that accepts each request and never answers it.</summary>
    NoAnswer,

    /// <summary>Kestrel over HTTPS (a valid certificate) that answers every request 200 with an HTML page.</summary>
    HtmlPage,

    /// <summary>Kestrel over HTTPS with a certificate from the trusted test CA but for another host name.</summary>
    WrongHostCertificate,
}

/// <summary>
/// A loopback peer that misbehaves in one way of <see cref="PeerFault"/>, for the HTTP failure table
/// every HTTP plugin must follow. Port 0, 127.0.0.1 only.
/// </summary>
public sealed class FaultyPeer : IAsyncDisposable
{
    private static readonly byte[] GarbageBytes = "SSH-2.0-NotHttp\r\n\0\u0001\u0002 this is not HTTP\r\n\r\n"u8.ToArray();

    private readonly TcpListener? _listener;
    private readonly WebApplication? _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _accepted = [];
    private readonly Task _acceptLoop = Task.CompletedTask;

    private FaultyPeer(int port, TcpListener? listener, WebApplication? app, PeerFault fault)
    {
        Port = port;
        _listener = listener;
        _app = app;
        if (listener is not null)
        {
            _acceptLoop = AcceptAsync(fault == PeerFault.Garbage);
        }
    }

    /// <summary>The host name a client must use: its certificate (if any) names <c>localhost</c> (except for <see cref="PeerFault.WrongHostCertificate"/>).</summary>
    public const string Host = "localhost";

    public int Port { get; }

    /// <summary>Starts a peer; <paramref name="ca"/> issues the HTTPS certificates.</summary>
    public static async Task<FaultyPeer> StartAsync(PeerFault fault, TestCertificateAuthority ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        switch (fault)
        {
            case PeerFault.ClosedPort:
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                return new FaultyPeer(port, null, null, fault);
            case PeerFault.Silent or PeerFault.Garbage:
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                return new FaultyPeer(((IPEndPoint)listener.LocalEndpoint).Port, listener, null, fault);
            default:
                var certificate = ca.IssueServerCertificate(fault == PeerFault.WrongHostCertificate ? "wrong-host.example" : "localhost");
                var app = await StartKestrelAsync(certificate, fault);
                var address = new Uri(app.Urls.First());
                return new FaultyPeer(address.Port, null, app, fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        lock (_accepted)
        {
            foreach (var client in _accepted)
            {
                client.Dispose();
            }
        }

        if (_app is not null)
        {
            await _app.StopAsync(TimeSpan.FromSeconds(1));
            await _app.DisposeAsync();
        }

        _stop.Dispose();
    }

    private static async Task<WebApplication> StartKestrelAsync(X509Certificate2 certificate, PeerFault fault)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate })));
        var app = builder.Build();
        app.Run(async context =>
        {
            if (fault == PeerFault.NoAnswer)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>", context.RequestAborted);
        });
        await app.StartAsync();
        return app;
    }

    private async Task AcceptAsync(bool sendGarbage)
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener!.AcceptTcpClientAsync(_stop.Token);
            lock (_accepted)
            {
                _accepted.Add(client);
            }

            if (sendGarbage)
            {
                _ = AnswerGarbageAsync(client);
            }
        }
    }

    private async Task AnswerGarbageAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[4096];
            _ = await stream.ReadAsync(buffer, _stop.Token);
            await stream.WriteAsync(GarbageBytes, _stop.Token);
            await stream.FlushAsync(_stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
