using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>Keeps every formatted log line, to check what a plugin writes (and that no secret is among it).</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} {exception}");
}
