using System.Security.Cryptography;
using System.Text.Json;
using OtpNet;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>
/// Pending enrollments: <c>pending/&lt;user&gt;</c> holds a new enrollment (same record as an active one) until the
/// first valid code from it confirms it, expiring after <c>[totp] pending_ttl</c>. Until then the user's active
/// enrollment, if any, is untouched, so an enrollment whose output nobody saw (a crash, a lost terminal) strands nobody:
/// the old one keeps working and a new <c>enroll</c> simply replaces the pending one.
/// </summary>
internal sealed partial class TotpEnrollmentStore
{
    private const string PendingPrefix = "pending/";

    /// <summary>
    /// A new pending enrollment of <paramref name="user"/> (replacing a pending one). Null when the user has an active
    /// enrollment and <paramref name="replace"/> is false.
    /// </summary>
    public async ValueTask<NewTotpEnrollment?> EnrollPendingAsync(string user, TotpSettings settings, bool replace, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(settings);
        if (!replace && await IsEnrolledAsync(user, cancellationToken))
        {
            return null;
        }

        var (stored, codes) = NewRandomRecord(user, settings);
        await _state.SetAsync(PendingPrefix + KeyOf(user), JsonSerializer.Serialize(stored, EnrollmentJsonContext.Default.StoredEnrollment), _timeProvider.GetUtcNow() + ttl, cancellationToken);
        return new NewTotpEnrollment(ToEnrollment(stored), codes);
    }

    /// <summary>The pending enrollment of <paramref name="user"/> and when it expires, or null.</summary>
    public async ValueTask<(TotpEnrollment Enrollment, DateTimeOffset? ExpiresAt)?> GetPendingAsync(string user, CancellationToken cancellationToken)
    {
        var key = PendingPrefix + KeyOf(user);
        if (await _state.GetAsync(key, cancellationToken) is not { } json)
        {
            return null;
        }

        var (_, expires) = await _state.TryGetExpiryAsync(key, cancellationToken);
        return (ToEnrollment(Deserialize(json)), expires);
    }

    /// <summary>Makes the pending enrollment the user's enrollment (replacing the active one); false when it was replaced or expired meanwhile.</summary>
    public async ValueTask<bool> ConfirmAsync(TotpEnrollment pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var key = PendingPrefix + KeyOf(pending.User);
        if (await _state.GetAsync(key, cancellationToken) is not { } json || Deserialize(json).Id != pending.Id)
        {
            return false;
        }

        // Active first, then the pending record goes: a crash in between leaves the same enrollment twice, which is harmless.
        await _state.SetAsync(EnrollmentPrefix + KeyOf(pending.User), json, null, cancellationToken);
        await _state.RemoveAsync(key, cancellationToken);
        return true;
    }

    /// <summary>Uses one of the pending enrollment's scratch codes (shown only with its enrollment, so it proves the output was seen).</summary>
    public ValueTask<bool> TryUsePendingScratchCodeAsync(string user, string code, CancellationToken cancellationToken) =>
        TryUseScratchCodeAsync(PendingPrefix, user, code, cancellationToken);

    /// <summary>Every pending enrollment (without opening its secret) and when it expires, by user.</summary>
    public async ValueTask<IReadOnlyDictionary<string, (DateTimeOffset EnrolledAt, DateTimeOffset? ExpiresAt)>> ListPendingAsync(CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, (DateTimeOffset, DateTimeOffset?)>(StringComparer.Ordinal);
        await foreach (var (key, json) in _state.ListAsync(PendingPrefix, cancellationToken))
        {
            var stored = Deserialize(json);
            pending[stored.User] = (stored.EnrolledAt, (await _state.TryGetExpiryAsync(key, cancellationToken)).ExpiresAt);
        }

        return pending;
    }

    private (StoredEnrollment Record, List<string> ScratchCodes) NewRandomRecord(string user, TotpSettings settings)
    {
        var codes = Enumerable.Range(0, settings.ScratchCodes)
            .Select(_ => RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        return (NewRecord(user, Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(SecretLength)), settings.Algorithm, settings.Digits, settings.Period, codes), codes);
    }
}
