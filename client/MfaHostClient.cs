using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace MfaHost.Client;

/// <summary>
/// A connection to an MfaHost's gateway socket. Thread-safe: many calls may run at once on one
/// connection (they are pipelined and matched to their answers by id).
/// </summary>
/// <example>
/// <code>
/// await using var client = await MfaHostClient.ConnectAsync("/run/mfahost/mfahost.sock");
/// var result = await client.AuthenticateAsync(new AuthenticateParams { Plugin = "totp", SessionId = "s1", Username = "alice" });
/// </code>
/// </example>
public sealed partial class MfaHostClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _pending = new();
    private readonly Task _readLoop;
    private long _nextId;
    private volatile Exception? _closed;

    private MfaHostClient(string socketPath, Socket socket)
    {
        SocketPath = socketPath;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>The socket this client is connected to.</summary>
    public string SocketPath { get; }

    /// <summary>Connects to the host's socket.</summary>
    /// <param name="socketPath">The socket's path (<c>[host] socket</c> of the host).</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <exception cref="IOException">Nobody listens there, or the socket cannot be reached; the message names the path.</exception>
    public static Task<MfaHostClient> ConnectAsync(string socketPath, CancellationToken cancellationToken = default) =>
        ConnectAsync(socketPath, new MfaHostClientOptions(), cancellationToken);

    /// <summary>Connects to the host's socket, checking who listens there when <see cref="MfaHostClientOptions.ExpectedHostUid"/> is set.</summary>
    /// <param name="socketPath">The socket's path (<c>[host] socket</c> of the host).</param>
    /// <param name="options">How to connect.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <exception cref="IOException">Nobody listens there, or the socket cannot be reached; the message names the path.</exception>
    /// <exception cref="MfaHostImpostorException">The listening process does not run as the expected uid; nothing was sent to it.</exception>
    public static async Task<MfaHostClient> ConnectAsync(string socketPath, MfaHostClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot connect to MfaHost at {socketPath}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (options.ExpectedHostUid is { } expected)
        {
            var actual = SocketListener.Uid(socket);
            if (actual != expected)
            {
                socket.Dispose();
                throw new MfaHostImpostorException(socketPath, expected, actual);
            }
        }

        return new MfaHostClient(socketPath, socket);
    }

    /// <summary>Asks the host whether a user may in: ACCEPT, DENY (a result, not an error) or NEEDINFO.</summary>
    /// <param name="parameters">The request.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="MfaHostRpcException">The host answered an error (for example <c>unknown_plugin</c>).</exception>
    /// <exception cref="IOException">The connection is closed.</exception>
    public Task<AuthenticateResult> AuthenticateAsync(AuthenticateParams parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return CallAsync("authenticate", JsonSerializer.SerializeToUtf8Bytes(parameters, ClientJsonContext.Default.AuthenticateParams), ClientJsonContext.Default.AuthenticateResult, cancellationToken);
    }

    /// <summary>Tells the host the gateway's session ended; false when the host did not know it.</summary>
    /// <param name="sessionId">The session id given to <see cref="AuthenticateAsync"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public async Task<bool> SessionEndedAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var parameters = JsonSerializer.SerializeToUtf8Bytes(new SessionEndedParams(sessionId), ClientJsonContext.Default.SessionEndedParams);
        var result = await CallAsync("session_ended", parameters, ClientJsonContext.Default.SessionEndedResult, cancellationToken);
        return result.Ended;
    }

    /// <summary>The host's plugin instances, loaded or failed.</summary>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public async Task<IReadOnlyList<PluginInfo>> PluginsAsync(CancellationToken cancellationToken = default)
    {
        var result = await CallAsync("plugins", null, ClientJsonContext.Default.PluginsResult, cancellationToken);
        return result.Plugins;
    }

    /// <summary>The host's health: status, version, uptime, plugins loaded, requests in flight.</summary>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public Task<HealthResult> HealthAsync(CancellationToken cancellationToken = default) =>
        CallAsync("health", null, ClientJsonContext.Default.HealthResult, cancellationToken);

    /// <summary>Calls any method (for methods this client has no typed call for) and returns its result.</summary>
    /// <param name="method">The method name.</param>
    /// <param name="parameters">The params object, or null for none.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="MfaHostRpcException">The host answered an error.</exception>
    public Task<JsonElement> CallAsync(string method, JsonObject? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var json = parameters is null ? null : JsonSerializer.SerializeToUtf8Bytes(parameters, ClientJsonContext.Default.JsonObject);
        return CallAsync(method, json, ClientJsonContext.Default.JsonElement, cancellationToken);
    }

    /// <summary>Closes the connection; calls still waiting fail with <see cref="IOException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed ??= new ObjectDisposedException(nameof(MfaHostClient));
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        await _stream.DisposeAsync();
        try
        {
            await _readLoop;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }

        _writeLock.Dispose();
    }

    private async Task<T> CallAsync<T>(string method, byte[]? parameters, JsonTypeInfo<T> resultType, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            var line = ClientRpcLines.EncodeRequest(id, method, parameters);
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                ThrowIfClosed();
                await _stream.WriteAsync(line, cancellationToken);
            }
            finally
            {
                _writeLock.Release();
            }

            byte[] response;
            try
            {
                response = await answer.Task.WaitAsync(cancellationToken);
            }
            catch (ObjectDisposedException e)
            {
                throw Closed(e);
            }

            return ClientRpcLines.Decode(response, resultType);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException && _closed is not null)
        {
            throw Closed(e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed is { } closed)
        {
            throw Closed(closed);
        }
    }

    private IOException Closed(Exception? cause) => new($"the connection to MfaHost at {SocketPath} is closed", cause);
}
