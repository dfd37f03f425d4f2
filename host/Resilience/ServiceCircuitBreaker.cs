using System.Globalization;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;
using MfaHost.Configuration;

namespace MfaHost.Resilience;

/// <summary>
/// The host's consecutive-failures circuit breaker for one plugin instance (the model is YARP's
/// ConsecutiveFailuresHealthPolicy). After <see cref="FailureThreshold"/> consecutive
/// <see cref="MfaServiceUnreachable"/> failures it opens: requests are answered at once instead of each
/// waiting for a timeout. After <see cref="OpenDuration"/> one probe request goes through (half-open);
/// its success closes the circuit, its failure opens it again. Any answer from the service (a verdict,
/// an authentication failure, a communication error) counts as success: the service is reachable.
/// </summary>
/// <remarks>
/// The closed state, by far the most common, is read without a lock; transitions take one.
/// </remarks>
internal sealed partial class ServiceCircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _instance;
    private volatile CircuitState _state = CircuitState.Closed;
    private int _consecutiveFailures;
    private long _openedAt;
    private bool _probeInFlight;

    public ServiceCircuitBreaker(int failureThreshold, TimeSpan openDuration, TimeProvider timeProvider, ILogger logger, string instance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failureThreshold);
        FailureThreshold = failureThreshold;
        OpenDuration = openDuration;
        _timeProvider = timeProvider;
        _logger = logger;
        _instance = instance;
    }

    /// <summary>Consecutive unreachable failures that open the circuit; 0 disables the breaker.</summary>
    public int FailureThreshold { get; }

    /// <summary>How long the circuit stays open before a probe is let through.</summary>
    public TimeSpan OpenDuration { get; }

    public CircuitState State => _state;

    /// <summary>A breaker with <paramref name="settings"/> (an instance's <c>[circuit]</c> section).</summary>
    public static ServiceCircuitBreaker Create(CircuitSettings settings, TimeProvider timeProvider, ILogger logger, string instance) =>
        new(settings.Failures, settings.OpenDuration, timeProvider, logger, instance);

    /// <summary>
    /// Asks whether a request may call the plugin. False: answer "service unreachable" at once, with
    /// <paramref name="why"/>. True with <paramref name="isProbe"/>: this request is the half-open probe and
    /// must be followed by <see cref="Record"/> with its outcome.
    /// </summary>
    public bool TryEnter(out bool isProbe, out string why)
    {
        isProbe = false;
        why = string.Empty;
        if (FailureThreshold == 0 || _state == CircuitState.Closed)
        {
            return true;
        }

        lock (_lock)
        {
            switch (_state)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.Open when _timeProvider.GetElapsedTime(_openedAt) >= OpenDuration:
                    _state = CircuitState.HalfOpen;
                    _probeInFlight = true;
                    isProbe = true;
                    LogHalfOpen(_logger, _instance);
                    return true;
                case CircuitState.HalfOpen when !_probeInFlight:
                    // The last probe was abandoned (cancelled): the next request probes.
                    _probeInFlight = true;
                    isProbe = true;
                    return true;
                default:
                    var retryIn = _state == CircuitState.Open ? OpenDuration - _timeProvider.GetElapsedTime(_openedAt) : TimeSpan.Zero;
                    why = _state == CircuitState.Open
                        ? $"circuit open after {FailureThreshold} consecutive failures to reach {_instance}; next attempt in {Math.Ceiling(Math.Max(retryIn.TotalSeconds, 0)).ToString(CultureInfo.InvariantCulture)} s"
                        : $"circuit half-open: a probe request to {_instance} is in progress";
                    return false;
            }
        }
    }

    /// <summary>Records how a request that <see cref="TryEnter"/> let through ended.</summary>
    public void Record(ServiceOutcome outcome, bool isProbe)
    {
        switch (outcome)
        {
            case ServiceOutcome.Answered:
                OnAnswered(isProbe);
                break;
            case ServiceOutcome.Unreachable:
                OnUnreachable(isProbe);
                break;
            default:
                OnAbandoned(isProbe);
                break;
        }
    }

    // The service answered: reset the failure count; a probe's success closes the circuit.
    private void OnAnswered(bool isProbe)
    {
        if (FailureThreshold == 0 || (!isProbe && _state == CircuitState.Closed && Volatile.Read(ref _consecutiveFailures) == 0))
        {
            return;
        }

        lock (_lock)
        {
            _consecutiveFailures = 0;
            if (isProbe)
            {
                _probeInFlight = false;
                _state = CircuitState.Closed;
                LogClosed(_logger, _instance);
            }
        }
    }

    // The service was unreachable: count it; the threshold, or a failed probe, opens the circuit.
    private void OnUnreachable(bool isProbe)
    {
        if (FailureThreshold == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (isProbe)
            {
                _probeInFlight = false;
                Open();
                LogReopened(_logger, _instance, OpenDuration.TotalSeconds);
                return;
            }

            // Requests that were already under way when the circuit opened change nothing.
            if (_state == CircuitState.Closed && ++_consecutiveFailures >= FailureThreshold)
            {
                Open();
                LogOpened(_logger, _instance, _consecutiveFailures, OpenDuration.TotalSeconds);
            }
        }
    }

    // The request ended without telling anything about the service (cancelled, plugin bug): free the
    // probe slot so that the next request probes.
    private void OnAbandoned(bool isProbe)
    {
        if (!isProbe)
        {
            return;
        }

        lock (_lock)
        {
            _probeInFlight = false;
        }
    }

    private void Open()
    {
        _state = CircuitState.Open;
        _openedAt = _timeProvider.GetTimestamp();
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "{Instance}: circuit opened after {Failures} consecutive failures to reach the service; requests are answered 'service unreachable' for {OpenSeconds} s")]
    private static partial void LogOpened(ILogger logger, string instance, int failures, double openSeconds);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "{Instance}: circuit half-open: letting one probe request through")]
    private static partial void LogHalfOpen(ILogger logger, string instance);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "{Instance}: circuit closed: the service answered the probe request")]
    private static partial void LogClosed(ILogger logger, string instance);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "{Instance}: circuit re-opened: the probe request failed to reach the service; next probe in {OpenSeconds} s")]
    private static partial void LogReopened(ILogger logger, string instance, double openSeconds);
}
