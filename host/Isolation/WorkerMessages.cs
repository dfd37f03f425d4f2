using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MfaHost.Isolation;

/// <summary>The method names of the host ↔ worker protocol (JSON-RPC 2.0 over JSON Lines, as the gateway protocol).</summary>
internal static class WorkerMethods
{
    // Host → worker.
    public const string Start = "start";
    public const string Authenticate = "authenticate";
    public const string SessionEnded = "session_ended";
    public const string Admin = "admin";
    public const string Ping = "ping";

    // Either way: a notification that stops the request with that id.
    public const string Cancel = "cancel";

    // Worker → host.
    public const string Log = "log";
    public const string StateGet = "state.get";
    public const string StateSet = "state.set";
    public const string StateTryAdd = "state.try_add";
    public const string StateRemove = "state.remove";
    public const string StateIncrement = "state.increment";
    public const string StateExpiry = "state.expiry";
    public const string StateList = "state.list";
}

/// <summary>The <c>error.data.reason</c> words of the worker protocol.</summary>
internal static class WorkerErrors
{
    /// <summary>The call was cancelled (by the host) before the plugin answered.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The plugin threw its own <see cref="OperationCanceledException"/> (an HTTP timeout, say).</summary>
    public const string PluginCancelled = "plugin_cancelled";

    /// <summary>The plugin threw; the message names the exception.</summary>
    public const string PluginThrew = "plugin_threw";

    public const string StateUnavailable = ReasonWords.StateUnavailable;

    /// <summary>An administrative operation was refused; the message is the plugin's, for the operator.</summary>
    public const string AdminRefused = "admin_refused";

    public const string AdminInvalidArguments = "admin_invalid_arguments";

    public const string AdminUnknownOperation = "admin_unknown_operation";

    /// <summary>The worker has not constructed its client (yet), or could not.</summary>
    public const string NotStarted = "not_started";
}

internal sealed record CancelParams(long Id);

internal sealed record StartResult
{
    public string? Brand { get; init; }

    public bool IgnoreConnectionError { get; init; }

    public int Capabilities { get; init; }

    public List<AdminOperationEntry>? AdminOperations { get; init; }

    /// <summary>Why the client could not be constructed (the instance fails); null when it runs.</summary>
    public string? Error { get; init; }

    /// <summary>The plugin rejected its configuration.</summary>
    public ConfigurationError? ConfigurationError { get; init; }
}

internal sealed record AdminOperationEntry(string Name, string Description);

internal sealed record ConfigurationError(string FilePath, int? Line, string Section, string? Option, string Problem);

internal sealed record AuthenticateCall
{
    public string SessionId { get; init; } = string.Empty;

    public string Username { get; init; } = string.Empty;

    public string MfaIdentity { get; init; } = string.Empty;

    public string? MfaPassword { get; init; }

    public string? Password { get; init; }

    public string? ClientIp { get; init; }

    public string? Protocol { get; init; }

    public string? Target { get; init; }

    public Dictionary<string, string>? Attributes { get; init; }
}

internal sealed record VerdictResult
{
    public string Kind { get; init; } = "deny";

    public string Reason { get; init; } = string.Empty;

    public string Message { get; init; } = string.Empty;

    public string? Question { get; init; }

    public string? Key { get; init; }

    public bool DisableEcho { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }
}

internal sealed record SessionEndedCall(string SessionId);

internal sealed record AdminCall(string Operation, JsonObject Arguments);

internal sealed record AdminCallResult(JsonNode? Result);

internal sealed record PingResult(long ManagedBytes);

internal sealed record Empty;

internal sealed record LogEntry
{
    public int Level { get; init; }

    public int EventId { get; init; }

    public string? EventName { get; init; }

    public string Message { get; init; } = string.Empty;

    /// <summary>The exception as text (type, message, stack), already made safe to log in the worker.</summary>
    public string? Exception { get; init; }
}

internal sealed record StateKey(string Key);

internal sealed record StateWrite(string Key, string Value, DateTimeOffset? ExpiresAt);

internal sealed record StateIncrementCall(string Key, DateTimeOffset ExpiresAt);

internal sealed record StateValue(string? Value);

internal sealed record StateFlag(bool Value);

internal sealed record StateNumber(long Value);

internal sealed record StateExpiry(bool Exists, DateTimeOffset? ExpiresAt);

internal sealed record StateEntries(List<KeyValuePair<string, string>> Entries);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(CancelParams))]
[JsonSerializable(typeof(StartResult))]
[JsonSerializable(typeof(AuthenticateCall))]
[JsonSerializable(typeof(VerdictResult))]
[JsonSerializable(typeof(SessionEndedCall))]
[JsonSerializable(typeof(AdminCall))]
[JsonSerializable(typeof(AdminCallResult))]
[JsonSerializable(typeof(PingResult))]
[JsonSerializable(typeof(Empty))]
[JsonSerializable(typeof(LogEntry))]
[JsonSerializable(typeof(StateKey))]
[JsonSerializable(typeof(StateWrite))]
[JsonSerializable(typeof(StateIncrementCall))]
[JsonSerializable(typeof(StateValue))]
[JsonSerializable(typeof(StateFlag))]
[JsonSerializable(typeof(StateNumber))]
[JsonSerializable(typeof(StateExpiry))]
[JsonSerializable(typeof(StateEntries))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
