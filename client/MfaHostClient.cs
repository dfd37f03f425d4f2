using System.Buffers;
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
public sealed class MfaHostClient : IAsyncDisposable
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
            var actual = ListenerUid(socket);
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
            var line = EncodeRequest(id, method, parameters);
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

            return Decode(response, resultType);
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

    // The uid of the process that called listen() on the socket: Linux getsockopt(SOL_SOCKET, SO_PEERCRED), struct ucred { pid, uid, gid }.
    private static uint? ListenerUid(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> ucred = stackalloc byte[12];
        try
        {
            return socket.GetRawSocketOption(1, 17, ucred) >= 12 ? System.Runtime.InteropServices.MemoryMarshal.Read<uint>(ucred[4..]) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static byte[] EncodeRequest(long id, string method, byte[]? parameters)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (parameters?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc"u8, "2.0"u8);
            writer.WriteNumber("id"u8, id);
            writer.WriteString("method"u8, method);
            if (parameters is not null)
            {
                writer.WritePropertyName("params"u8);
                writer.WriteRawValue(parameters, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static T Decode<T>(byte[] response, JsonTypeInfo<T> resultType)
    {
        using var document = JsonDocument.Parse(response);
        var root = document.RootElement;
        if (root.TryGetProperty("error"u8, out var error))
        {
            var code = error.TryGetProperty("code"u8, out var c) && c.TryGetInt32(out var n) ? n : -32603;
            var message = error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "MfaHost error";
            var reason = error.TryGetProperty("data"u8, out var d) && d.ValueKind == JsonValueKind.Object
                && d.TryGetProperty("reason"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            throw new MfaHostRpcException(code, message, reason);
        }

        if (!root.TryGetProperty("result"u8, out var result))
        {
            throw new MfaHostRpcException(-32603, "the host's answer has neither result nor error", null);
        }

        if (typeof(T) == typeof(JsonElement))
        {
            return (T)(object)result.Clone();
        }

        return result.Deserialize(resultType) ?? throw new MfaHostRpcException(-32603, "the host's answer has a null result", null);
    }

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
        if (FindId(line) is { } id && _pending.TryGetValue(id, out var pending))
        {
            pending.TrySetResult(line.ToArray());
        }
    }

    private static long? FindId(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) ? id : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
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
