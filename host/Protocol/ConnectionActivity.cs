namespace MfaHost.Protocol;

/// <summary>
/// When a connection last did something, since when a line has been left unfinished and since when an answer
/// has waited to be read, and so which of its timeouts (<see cref="ConnectionLimits"/>) has passed.
/// </summary>
/// <remarks>Written by the connection's reader and writer, read by the server's sweep: every field is a timestamp
/// read and written whole (0 = not started).</remarks>
internal sealed class ConnectionActivity(ConnectionLimits limits, TimeProvider time)
{
    private long _lastActivity = time.GetTimestamp();
    private long _frameStarted;
    private long _writeStarted;

    /// <summary>A request came in or an answer went out.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, time.GetTimestamp());

    /// <summary>A whole line was read.</summary>
    public void LineCompleted() => Volatile.Write(ref _frameStarted, 0);

    /// <summary>A read ended with <paramref name="unfinished"/> bytes of a line still to come: the frame timeout runs from its first byte.</summary>
    public void ReadEnded(bool unfinished)
    {
        if (!unfinished)
        {
            Volatile.Write(ref _frameStarted, 0);
        }
        else if (Volatile.Read(ref _frameStarted) == 0)
        {
            Volatile.Write(ref _frameStarted, time.GetTimestamp());
        }
    }

    public void WriteStarted() => Volatile.Write(ref _writeStarted, time.GetTimestamp());

    public void WriteFinished() => Volatile.Write(ref _writeStarted, 0);

    /// <summary>The timeout that has passed, if any, for a connection with <paramref name="outstanding"/> requests.</summary>
    public ConnectionTimeout Due(int outstanding)
    {
        var now = time.GetTimestamp();
        var frameStarted = Volatile.Read(ref _frameStarted);
        var writeStarted = Volatile.Read(ref _writeStarted);
        if (frameStarted != 0 && time.GetElapsedTime(frameStarted, now) >= limits.FrameTimeout)
        {
            return ConnectionTimeout.Frame;
        }

        if (writeStarted != 0 && time.GetElapsedTime(writeStarted, now) >= limits.IdleTimeout)
        {
            return ConnectionTimeout.AnswersNotRead;
        }

        if (frameStarted == 0 && outstanding == 0 && time.GetElapsedTime(Volatile.Read(ref _lastActivity), now) >= limits.IdleTimeout)
        {
            return ConnectionTimeout.Idle;
        }

        return ConnectionTimeout.None;
    }
}
