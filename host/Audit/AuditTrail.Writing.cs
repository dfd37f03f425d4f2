using System.Text;

namespace MfaHost.Audit;

/// <summary>The background writer: formats and chains each record, appends it, flushes per batch, reopens the file when asked.</summary>
internal sealed partial class AuditTrail
{
    private async Task WriteAllAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            // Everything queued by now goes out with one flush (one write system call) instead of one per line.
            while (_queue.Reader.TryRead(out var record))
            {
                Write(record);
            }

            Flush();
        }

        Close();
        if (_chainRead)
        {
            AuditLog.Closed(_logger, _settings.File, _sequence, _previous, Written, Dropped, WriteFailures);
        }
    }

    private void Write(AuditRecord record)
    {
        try
        {
            _key ??= _settings.ResolveKey(create: true);
            if (!_chainRead)
            {
                (_sequence, _previous) = ReadChainEnd();
                _chainRead = true;
            }
        }
#pragma warning disable CA1031 // The trail never throws into a decision: the failure is logged and counted.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailure(e);
            return;
        }

        // The sequence number is spent even if the write fails: verify then reports the missing line.
        var (line, mac) = AuditLine.Format(record, ++_sequence, _host, _generation.Current, _previous, _key!);
        _previous = mac;
        try
        {
            if (_reopen || _file is null)
            {
                _reopen = false;
                Flush();
                Close();
                _file = Open(_settings.File);
            }

            _file.Write(line);
            _unflushed++;
        }
#pragma warning disable CA1031 // As above.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // The lines still in the stream's buffer may be lost with it: counted as failed too.
            LogFailure(e, 1 + _unflushed);
            _unflushed = 0;
            Close();
        }
    }

    private void Flush()
    {
        if (_file is null || _unflushed == 0)
        {
            return;
        }

        try
        {
            _file.Flush();
            Interlocked.Add(ref _written, _unflushed);
        }
#pragma warning disable CA1031 // As above.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailure(e, _unflushed);
            Close();
        }

        _unflushed = 0;
    }

    // A disk that stays full must not flood the log: the first failure, then every thousandth.
    private static bool ShouldLog(long count) => count == 1 || count % 1000 == 0;

    private void LogFailure(Exception e, long lines = 1)
    {
        var failures = Interlocked.Add(ref _failed, lines);
        for (var i = 0; i < lines; i++)
        {
            _metrics?.AuditWriteFailed();
        }

        // The first failure, then every thousandth line (a batch may pass several at once).
        if (failures == lines || failures / 1000 != (failures - lines) / 1000)
        {
            AuditLog.WriteFailed(_logger, e, _settings.File, failures);
        }
    }

    private static FileStream Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    // The chain continues from the file's last line; an unreadable end starts a new chain (verify reports it).
    private (long Sequence, string Previous) ReadChainEnd()
    {
        if (!File.Exists(_settings.File))
        {
            return (0, string.Empty);
        }

        using var stream = new FileStream(_settings.File, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length == 0)
        {
            return (0, string.Empty);
        }

        var tail = (int)Math.Min(stream.Length, 64 * 1024);
        stream.Seek(-tail, SeekOrigin.End);
        var buffer = new byte[tail];
        stream.ReadExactly(buffer);
        var text = Encoding.UTF8.GetString(buffer).TrimEnd('\n');
        var last = text[(text.LastIndexOf('\n') + 1)..];
        if (AuditLine.Parse(last, _key!) is { MacValid: true } parsed)
        {
            AuditLog.Continuing(_logger, _settings.File, parsed.Sequence);
            return (parsed.Sequence, parsed.Mac);
        }

        AuditLog.ChainRestarted(_logger, _settings.File);
        return (0, string.Empty);
    }

    // Disposing flushes what a failed write left in the buffer, which may fail again: that is already counted.
    private void Close()
    {
        try
        {
            _file?.Dispose();
        }
#pragma warning disable CA1031
        catch (IOException)
#pragma warning restore CA1031
        {
        }

        _file = null;
    }
}
