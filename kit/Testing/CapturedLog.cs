using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MfaHost.PluginSdk.Testing;

/// <summary>
/// Keeps every log line of a test host (the plugin's and the pipeline's), formatted, for assertions.
/// Unlike the CLI's TextWriterLoggerProvider it keeps exception texts: a secret in an exception message
/// must fail an author's <c>Does.Not.Contain(secret)</c> too.
/// </summary>
internal sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}";
            log._lines.Enqueue(exception is null ? line : $"{line}\n{exception}");
        }
    }
}
