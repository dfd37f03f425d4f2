using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MfaHost.Tests.Pipeline;

/// <summary>Keeps every log line (message and exception) so a test can look for what was, and was not, written.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, Exception? Exception)> Lines { get; } = new();

    public IEnumerable<string> AllText => Lines.Select(l => l.Message + " " + l.Exception);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, eventId, formatter(state, exception), exception));
}
