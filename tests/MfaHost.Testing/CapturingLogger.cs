using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MfaHost.Testing;

/// <summary>
/// A logger (and provider) that keeps every entry, formatted, so tests can assert on what was
/// logged: event ids of transitions, and that no secret ever appears.
/// </summary>
public sealed class CapturingLogger : ILogger, ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public IReadOnlyList<CapturedLogEntry> Entries => [.. _entries];

    /// <summary>Every entry's message and exception text, one per line.</summary>
    public string AllText => string.Join("\n", _entries.Select(e => e.ToString()));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var entry = new CapturedLogEntry(logLevel, eventId.Id, formatter(state, exception), exception?.ToString());
        _entries.Enqueue(entry);
        SuiteLog.Append(entry.ToString());
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }
}

/// <summary>One captured log entry.</summary>
public sealed record CapturedLogEntry(LogLevel Level, int EventId, string Message, string? Exception)
{
    public override string ToString() => Exception is null ? $"{Level} {EventId}: {Message}" : $"{Level} {EventId}: {Message}\n{Exception}";
}
