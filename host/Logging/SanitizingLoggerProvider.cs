using System.Collections;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MfaHost.Logging;

/// <summary>
/// Wraps a log provider so that every value a caller chose reaches it through <see cref="LogText.Safe"/>: escaped and at
/// most 256 characters. An entry whose values are all safe is passed on untouched; one with an unsafe value gets its
/// message rendered again from the template with the safe values (the structured values stay as they were).
/// </summary>
/// <remarks>
/// Done at the provider rather than at each log call, so that plugins' log lines (which log user names they were given)
/// are covered as well as the host's own.
/// </remarks>
internal sealed class SanitizingLoggerProvider(ILoggerProvider inner) : ILoggerProvider
{
    private const string OriginalFormat = "{OriginalFormat}";

    /// <summary>Wraps every <see cref="ILoggerProvider"/> registered so far.</summary>
    public static void WrapAll(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(ILoggerProvider) || descriptor.IsKeyedService)
            {
                continue;
            }

            if (descriptor.ImplementationInstance is ILoggerProvider instance)
            {
                services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(_ => new SanitizingLoggerProvider(instance));
            }
            else if (descriptor.ImplementationFactory is { } factory)
            {
                services[i] = ServiceDescriptor.Describe(typeof(ILoggerProvider), sp => new SanitizingLoggerProvider((ILoggerProvider)factory(sp)), descriptor.Lifetime);
            }
            else if (descriptor.ImplementationType is { } type)
            {
                // The container builds the provider as it would have (its constructor choice), under its own type.
                services.Add(ServiceDescriptor.Describe(type, type, descriptor.Lifetime));
                services[i] = ServiceDescriptor.Describe(typeof(ILoggerProvider), sp => new SanitizingLoggerProvider((ILoggerProvider)sp.GetRequiredService(type)), descriptor.Lifetime);
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new SanitizingLogger(inner.CreateLogger(categoryName));

    public void Dispose() => inner.Dispose();

    internal static string? SafeMessage<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            return null;
        }

        string? template = null;
        var unsafeValue = false;
        foreach (var (key, value) in values)
        {
            if (key == OriginalFormat)
            {
                template = value as string;
            }
            else if (!unsafeValue && value is not null)
            {
                unsafeValue = value is string text ? text.Length > LogText.MaxValueLength || LogText.NeedsEscaping(text) : IsUnsafeObject(value);
            }
        }

        if (template is null)
        {
            return null;
        }

        if (values.Count == 1)
        {
            // No structured values: the caller put the text into the template itself.
            return template.Length > LogText.MaxMessageLength || LogText.NeedsEscaping(template)
                ? LogText.Safe(formatter(state, exception), LogText.MaxMessageLength)
                : null;
        }

        return unsafeValue ? Render(template, values) : null;
    }

    private static bool IsUnsafeObject(object value)
    {
        if (value is IFormattable or ValueType)
        {
            return false;
        }

        var text = Format(value, null);
        return text.Length > LogText.MaxValueLength || LogText.NeedsEscaping(text);
    }

    /// <summary>Renders a message template (<c>{Name}</c>, <c>{Name:format}</c>, <c>{{</c>, <c>}}</c>) with safe values.</summary>
    private static string Render(string template, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var builder = new StringBuilder(template.Length + 64);
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                builder.Append('{');
                i += 2;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                builder.Append('}');
                i += 2;
            }
            else if (c == '{' && template.IndexOf('}', i + 1) is var end and > 0)
            {
                var hole = template[(i + 1)..end];
                var colon = hole.IndexOf(':', StringComparison.Ordinal);
                var comma = hole.IndexOf(',', StringComparison.Ordinal);
                var nameEnd = new[] { colon, comma, hole.Length }.Where(x => x >= 0).Min();
                var name = hole[..nameEnd];
                var format = colon >= 0 ? hole[(colon + 1)..] : null;
                var found = false;
                foreach (var (key, value) in values)
                {
                    if (string.Equals(key, name, StringComparison.Ordinal))
                    {
                        builder.Append(LogText.Safe(Format(value, format), value is string ? LogText.MaxValueLength : LogText.MaxMessageLength));
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    builder.Append('{').Append(hole).Append('}');
                }

                i = end + 1;
            }
            else
            {
                builder.Append(c);
                i++;
            }
        }

        return builder.ToString();
    }

    private static string Format(object? value, string? format) => value switch
    {
        null => "(null)",
        string text => text,
        IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(item => Format(item, format))),
        _ => value.ToString() ?? string.Empty,
    };

    private sealed class SanitizingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (SafeMessage(state, exception, formatter) is { } message)
            {
                inner.Log(logLevel, eventId, state, exception, (_, _) => message);
            }
            else
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
