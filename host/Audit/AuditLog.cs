using Microsoft.Extensions.Logging;

namespace MfaHost.Audit;

/// <summary>The audit trail's log lines (event ids 460-469). Never a secret, never the key.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = 460, Level = LogLevel.Error, Message = "Audit trail: writing to {File} failed ({Failures} failed line(s) so far); the decision stands")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string file, long failures);

    [LoggerMessage(EventId = 461, Level = LogLevel.Error, Message = "Audit trail: the queue is full, a {Event} record of {Method} was dropped ({Dropped} dropped so far); the decision stands")]
    public static partial void Dropped(ILogger logger, string @event, string method, long dropped);

    [LoggerMessage(EventId = 462, Level = LogLevel.Information, Message = "Audit trail: {File} continues its chain after sequence {Sequence}")]
    public static partial void Continuing(ILogger logger, string file, long sequence);

    [LoggerMessage(EventId = 463, Level = LogLevel.Warning, Message = "Audit trail: the last line of {File} is damaged or was chained with another key; a new chain starts (audit verify will report the break)")]
    public static partial void ChainRestarted(ILogger logger, string file);

    [LoggerMessage(EventId = 464, Level = LogLevel.Information, Message = "Audit trail: {File} closed at sequence {Sequence}, mac {Mac} ({Written} written, {Dropped} dropped, {Failures} failed)")]
    public static partial void Closed(ILogger logger, string file, long sequence, string mac, long written, long dropped, long failures);

    [LoggerMessage(EventId = 465, Level = LogLevel.Warning, Message = "Audit trail: stopped with {Count} record(s) still queued")]
    public static partial void StoppedWithQueue(ILogger logger, int count);

    [LoggerMessage(EventId = 466, Level = LogLevel.Warning, Message = "Audit trail: no key in the credential store ([audit] key, or the secret audit.key such as MFAHOST_AUDIT_KEY); using the generated key {KeyFile}. Anyone who can read it can forge the chain: keep the key apart from the trail")]
    public static partial void GeneratedKey(ILogger logger, string keyFile);
}
