using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>
/// Enrollments as decoded from their stored form (JSON parsed, secret unsealed with AES-GCM, Base32 decoded, Otp.NET
/// verifier built), kept per user with a SHA-256 fingerprint of the stored value they came from. The store is still
/// read on every login: a value equal to the fingerprinted one is decoded already, anything else (another enrollment,
/// a recorded drift, a rekeyed secret) is decoded afresh, and a missing one is forgotten. So a change by any writer
/// (this instance, <c>mfahost totp</c> without a host, another host on the same PostgreSQL) counts from the next
/// login, exactly as without the cache; what the cache saves is the decoding, not the read.
/// </summary>
/// <remarks>
/// Holds decoded secrets in this process's memory, as verifying a code does anyway. Bounded: at <see cref="Capacity"/>
/// users it starts over (cheaper than keeping an LRU order on every login, and only large sites reach it).
/// </remarks>
internal sealed class DecodedEnrollments(int capacity = DecodedEnrollments.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The decoded enrollment of <paramref name="stored"/> (the stored value just read for <paramref name="user"/>).</summary>
    public TotpEnrollment Get(string user, string stored, Func<string, TotpEnrollment> decode)
    {
        var fingerprint = Fingerprint(stored);
        if (_entries.TryGetValue(user, out var entry) && CryptographicOperations.FixedTimeEquals(entry.Fingerprint, fingerprint))
        {
            return entry.Enrollment;
        }

        var enrollment = decode(stored);
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }

        _entries[user] = new Entry(fingerprint, enrollment, enrollment.CreateTotp());
        return enrollment;
    }

    /// <summary>The user has no enrollment (any more).</summary>
    public void Forget(string user) => _entries.TryRemove(user, out _);

    /// <summary>A verifier for <paramref name="enrollment"/>: the one built when it was decoded, if it came from here.</summary>
    public OtpNet.Totp VerifierOf(TotpEnrollment enrollment) =>
        _entries.TryGetValue(enrollment.User, out var entry) && ReferenceEquals(entry.Enrollment, enrollment) ? entry.Totp : enrollment.CreateTotp();

    private static byte[] Fingerprint(string stored) => SHA256.HashData(MemoryMarshal.AsBytes(stored.AsSpan()));

    private sealed record Entry(byte[] Fingerprint, TotpEnrollment Enrollment, OtpNet.Totp Totp);
}
