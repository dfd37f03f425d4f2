namespace MfaHost.State;

/// <summary>
/// The state store could not answer (database down, too slow, refusing, or at an unknown schema version). Every
/// decision that needs state fails closed on it: DENY <c>state_unavailable</c>, never ACCEPT. The message says
/// what is wrong and never holds a key, a value or the connection string.
/// </summary>
internal sealed class StateUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The first <see cref="StateUnavailableException"/> in <paramref name="exception"/> or its inner exceptions (a plugin may have wrapped it).</summary>
    public static StateUnavailableException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is StateUnavailableException found)
            {
                return found;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find).FirstOrDefault(f => f is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
