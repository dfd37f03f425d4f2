using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MfaHost.Access;
using MfaHost.Administration;
using MfaHost.Audit;
using MfaHost.Client;
using MfaHost.Configuration;
using MfaHost.Hosting;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Unix;
using Microsoft.Extensions.Logging;

namespace MfaHost.Cli;

/// <summary>
/// A plugin instance's administrative operation from the command line (<c>mfahost totp enroll</c> and friends):
/// through the running host's <c>admin</c> method when a host answers on the socket, otherwise by loading that one
/// instance in this process (as before the first start: "enroll, then start"). Problems are written to stderr and
/// become the exit code: 2 for usage or configuration errors, 1 for a refusal.
/// </summary>
internal sealed class PluginAdminCall(CliConsole console, string? socketOption, string? configOption, string refusalHint = "")
{
    private static readonly string[] UsageReasons =
    [
        ReasonWords.UnknownPlugin, ReasonWords.UnknownOperation, ReasonWords.InvalidArguments,
        "invalid_params", "missing_field", "invalid_field",
    ];

    // [host] max_frame_bytes when only --socket names the host (its configuration is not read then).
    private const int DefaultMaxFrameBytes = 65536;

    /// <summary>The operation's result, or the exit code when it failed (the reason already written).</summary>
    public async Task<(JsonNode? Result, int? ExitCode)> RunAsync(string instance, string expectedType, string operation, JsonObject arguments, CancellationToken cancellationToken)
    {
        (JsonNode? Result, int? ExitCode) outcome = (null, null);
        var exitCode = await RunSessionAsync(instance, expectedType, async session =>
        {
            outcome = await session.CallAsync(operation, arguments, cancellationToken);
            return ExitCodes.Ok;
        }, cancellationToken);
        return exitCode == ExitCodes.Ok ? outcome : (null, exitCode);
    }

    /// <summary>
    /// Several operations on one connection to the running host, or on one instance loaded here (an import sent in
    /// parts). <paramref name="body"/>'s exit code is returned, or the exit code of a failure to get that far.
    /// </summary>
    public async Task<int> RunSessionAsync(string instance, string expectedType, Func<AdminSession, Task<int>> body, CancellationToken cancellationToken)
    {
        HostSettings? settings = null;
        var socketPath = socketOption is { Length: > 0 } ? Path.GetFullPath(socketOption) : null;
        if (socketPath is null)
        {
            if (LoadSettings() is not { } loaded)
            {
                return ExitCodes.UsageOrConfig;
            }

            settings = loaded;
            socketPath = loaded.SocketPath;
        }

        MfaHostClient client;
        try
        {
            client = await MfaHostClient.ConnectAsync(socketPath, cancellationToken);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: not SocketError.AccessDenied })
        {
            // No host runs there: do it here, on the same configuration and state store the host will use.
            settings ??= LoadSettings();
            return settings is null ? ExitCodes.UsageOrConfig : await RunLocallyAsync(settings, instance, expectedType, body, cancellationToken);
        }
        catch (IOException e)
        {
            HostSocketOption.WriteUnreachable(console, socketPath, e);
            return ExitCodes.Failed;
        }

        await using (client)
        {
            var maxFrameBytes = settings?.MaxFrameBytes ?? DefaultMaxFrameBytes;
            return await body(new AdminSession(maxFrameBytes, (operation, arguments, ct) => RunThroughSocketAsync(client, instance, operation, arguments, ct)));
        }
    }

    private async Task<(JsonNode? Result, int? ExitCode)> RunThroughSocketAsync(
        MfaHostClient client, string instance, string operation, JsonObject arguments, CancellationToken cancellationToken)
    {
        try
        {
            // An instance of another type is refused by the host itself (unknown_operation), which names what it offers.
            var answer = await client.CallAsync(
                "admin",
                new JsonObject { ["instance"] = instance, ["operation"] = operation, ["arguments"] = arguments.DeepClone() },
                cancellationToken);
            return (answer.TryGetProperty("result", out var result) ? JsonNode.Parse(result.GetRawText()) : null, null);
        }
        catch (MfaHostRpcException e)
        {
            console.Error.WriteLine($"error: {e.Message}{(e.Reason == ReasonWords.OperationRefused ? refusalHint : string.Empty)}");
            return (null, UsageReasons.Contains(e.Reason) ? ExitCodes.UsageOrConfig : ExitCodes.Failed);
        }
        catch (IOException e)
        {
            HostSocketOption.WriteUnreachable(console, client.SocketPath, e);
            return (null, ExitCodes.Failed);
        }
    }

    private async Task<int> RunLocallyAsync(HostSettings settings, string instance, string expectedType, Func<AdminSession, Task<int>> body, CancellationToken cancellationToken)
    {
        var file = Path.Combine(settings.PluginConfigDirectory, instance + ".ini");
        if (instance.Length == 0 || instance.IndexOfAny(['/', '\\']) >= 0 || !File.Exists(file))
        {
            console.Error.WriteLine($"error: no plugin instance '{instance}': {file} does not exist (see --instance)");
            return ExitCodes.UsageOrConfig;
        }

        // Checked before anything is constructed: another type's constructor has no business running here.
        try
        {
            var type = new PluginConfiguration(IniFile.Load(file), file, NoCredentials.Instance).Section("plugin").GetString("type", instance);
            if (type != expectedType)
            {
                console.Error.WriteLine($"error: plugin instance '{instance}' ({file}) is of type '{type}', not '{expectedType}'");
                return ExitCodes.UsageOrConfig;
            }
        }
        catch (MfaConfigurationException e)
        {
            ConfigurationReport.WriteErrors(console.Error, [e]);
            return ExitCodes.UsageOrConfig;
        }

        var errors = new List<MfaConfigurationException>();
        using var loggerFactory = HostComposition.CreateLoggerFactory(settings, console.Error, LogLevel.Warning);
        var state = HostComposition.CreateStateStore(settings, TimeProvider.System);
        try
        {
            await using var catalog = new PluginCatalogBuilder(settings, loggerFactory, TimeProvider.System, state).BuildOne(file, errors);
            if (errors.Count > 0)
            {
                ConfigurationReport.WriteErrors(console.Error, errors);
                return ExitCodes.UsageOrConfig;
            }

            var runner = new AdminOperationRunner(settings.RequestTimeout, TimeProvider.System, loggerFactory.CreateLogger("MfaHost.Administration"));
            // With no host running, this process is the trail's only writer: one trail for the whole session.
            await using var audit = new AuditTrail(settings.Audit, NotServing.Instance, TimeProvider.System, loggerFactory.CreateLogger<AuditTrail>());
            await audit.StartAsync(cancellationToken);
            var (uid, gid) = FileStatus.Effective();
            var self = new PeerCredentials(Environment.ProcessId, uid, gid);
            try
            {
                return await body(new AdminSession(settings.MaxFrameBytes, async (operation, arguments, ct) =>
                {
                    var record = AuditRecord.AdminOperation("cli", self, instance, expectedType, operation, arguments);
                    try
                    {
                        var result = await runner.RunAsync(catalog, instance, operation, arguments, ct);
                        audit.Record(record);
                        return (result, null);
                    }
                    catch (AdminOperationException e)
                    {
                        audit.Record(record with { Verdict = AuditRecord.Refused, Reason = e.Reason });
                        console.Error.WriteLine($"error: {e.Message}{(e.Reason == ReasonWords.OperationRefused ? refusalHint : string.Empty)}");
                        return (null, e.IsUsageError ? ExitCodes.UsageOrConfig : ExitCodes.Failed);
                    }
                    catch (Exception e) when (StateUnavailableException.Find(e) is { } unavailable)
                    {
                        // Its message names the backend and the cause, never the connection string.
                        audit.Record(record with { Verdict = AuditRecord.Refused, Reason = ReasonWords.StateUnavailable });
                        console.Error.WriteLine($"error: {unavailable.Message}");
                        return (null, ExitCodes.Failed);
                    }
                }));
            }
            finally
            {
                await audit.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            if (state is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    private HostSettings? LoadSettings()
    {
        var errors = new List<MfaConfigurationException>();
        var settings = HostSettingsLoader.Load(ConfigurationReport.ResolveConfigPath(configOption), errors);
        if (errors.Count > 0)
        {
            ConfigurationReport.WriteErrors(console.Error, errors);
            return null;
        }

        return settings;
    }

    private sealed class NotServing : IConfigurationGeneration
    {
        public static readonly NotServing Instance = new();

        public long Current => 0;
    }
}

/// <summary>Operations of one plugin instance, one after another, through the host or in this process (<see cref="PluginAdminCall.RunSessionAsync"/>).</summary>
/// <param name="MaxFrameBytes">The largest request line the host takes ([host] max_frame_bytes): a call's arguments must fit in it.</param>
/// <param name="Call">Runs one operation: its result, or the exit code when it failed (the reason already written).</param>
internal sealed record AdminSession(int MaxFrameBytes, Func<string, JsonObject, CancellationToken, Task<(JsonNode? Result, int? ExitCode)>> Call)
{
    public Task<(JsonNode? Result, int? ExitCode)> CallAsync(string operation, JsonObject arguments, CancellationToken cancellationToken) =>
        Call(operation, arguments, cancellationToken);
}
