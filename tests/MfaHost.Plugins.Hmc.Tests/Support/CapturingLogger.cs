using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Hmc.Tests.Support;

/// <summary>Keeps every log line (message and exception text) so tests can look for secrets in them.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Text)> Lines => [.. _lines];

    public string AllText => string.Join("\n", _lines.Select(l => l.Text));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        if (exception is not null)
        {
            text += " | " + exception;
        }

        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            text += " | " + string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
        }

        _lines.Enqueue((logLevel, eventId, text));
    }
}
