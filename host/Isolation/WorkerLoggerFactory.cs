using MfaHost.Logging;
using Microsoft.Extensions.Logging;

namespace MfaHost.Isolation;

/// <summary>
/// The loggers of a worker: each entry is made safe as the host's own log makes it (<see cref="SanitizingLoggerProvider"/>)
/// and sent to the host as a <c>log</c> notification, where it is written under the instance's category.
/// </summary>
internal sealed class WorkerLoggerFactory(RpcPeer host) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new WorkerLogger(host);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class WorkerLogger(RpcPeer host) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || host.IsClosed)
            {
                return;
            }

            var message = SanitizingLoggerProvider.SafeMessage(state, exception, formatter) ?? formatter(state, exception);
            var entry = new LogEntry
            {
                Level = (int)logLevel,
                EventId = eventId.Id,
                EventName = eventId.Name,
                Message = message,
                Exception = exception?.ToString(),
            };
            _ = SendAsync(entry);
        }

        private async Task SendAsync(LogEntry entry)
        {
            try
            {
                await host.NotifyAsync(WorkerMethods.Log, entry, WorkerJsonContext.Default.LogEntry);
            }
            catch (WorkerUnavailableException)
            {
                // The host is gone: there is nobody to log to.
            }
        }
    }
}
