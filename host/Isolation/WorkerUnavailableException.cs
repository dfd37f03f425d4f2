namespace MfaHost.Isolation;

/// <summary>The instance's worker is not there to answer: it exited, was stopped, or is being restarted.</summary>
internal sealed class WorkerUnavailableException(string message, Exception? innerException = null) : IOException(message, innerException);
