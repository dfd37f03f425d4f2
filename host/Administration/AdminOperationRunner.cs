using System.Text.Json.Nodes;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Administration;

/// <summary>
/// Runs a plugin instance's administrative operation (<see cref="MfaClient.ExecuteAdminAsync"/>) for the <c>admin</c>
/// socket method and for the command line when no host runs: off the caller's thread and bounded by the request
/// timeout, with the plugin's <see cref="MfaAdminException"/> turned into an <see cref="AdminOperationException"/>.
/// Neither arguments nor results are logged: they may hold secrets meant for the operator.
/// </summary>
internal sealed partial class AdminOperationRunner(TimeSpan limit, TimeProvider timeProvider, ILogger logger)
{
    public async Task<JsonNode?> RunAsync(PluginCatalog catalog, string instanceName, string operation, JsonObject arguments, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(instanceName, out var instance))
        {
            throw new AdminOperationException(ReasonWords.UnknownPlugin, $"no plugin instance '{instanceName}'");
        }

        if (instance.Client is not { } client)
        {
            throw new AdminOperationException(ReasonWords.PluginUnavailable, $"plugin instance '{instanceName}' is not loaded: {instance.Error}");
        }

        if (!instance.TryEnter())
        {
            throw new AdminOperationException(ReasonWords.PluginUnavailable, $"plugin instance '{instanceName}' is being replaced by a reload; try again");
        }

        try
        {
            var result = await BoundedPluginCall.RunAsync(ct => client.ExecuteAdminAsync(operation, arguments, ct), limit, timeProvider, cancellationToken);
            LogDone(logger, instanceName, operation);
            return result;
        }
        catch (MfaAdminException e)
        {
            LogRefused(logger, instanceName, operation, e.Message);
            throw new AdminOperationException(
                e.Kind switch
                {
                    MfaAdminErrorKind.InvalidArguments => ReasonWords.InvalidArguments,
                    MfaAdminErrorKind.UnknownOperation => ReasonWords.UnknownOperation,
                    _ => ReasonWords.OperationRefused,
                },
                e.Message);
        }
        catch (TimeoutException)
        {
            LogTimedOut(logger, instanceName, operation, limit);
            throw new AdminOperationException(ReasonWords.Timeout, $"plugin instance '{instanceName}' did not finish '{operation}' within request_timeout ({limit.TotalSeconds:0.###} s)");
        }
        finally
        {
            instance.Exit();
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "{Instance}: administrative operation '{Operation}' done")]
    private static partial void LogDone(ILogger logger, string instance, string operation);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "{Instance}: administrative operation '{Operation}' refused: {Why}")]
    private static partial void LogRefused(ILogger logger, string instance, string operation, string why);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "{Instance}: administrative operation '{Operation}' timed out: request_timeout ({Limit}) reached")]
    private static partial void LogTimedOut(ILogger logger, string instance, string operation, TimeSpan limit);
}
