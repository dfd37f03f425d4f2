using System.Security.Cryptography;
using System.Text.Json;
using MfaHost.PluginSdk;
using OtpNet;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>
/// TOTP enrollments in a plugin instance's <see cref="IStateStore"/>, shared by the <c>totp</c> plugin and the
/// host's <c>mfahost totp</c> commands. Keys: <c>enrollment/&lt;user&gt;</c> (JSON: secret as given, parameters,
/// salted SHA-256 hashes of the scratch codes) and <c>scratch-used/&lt;user&gt;/&lt;enrollment id&gt;/&lt;n&gt;</c>
/// (one per used scratch code, claimed atomically). User names are percent-encoded in keys. With a
/// <see cref="SeedProtector"/> the secret is stored sealed (AES-GCM) and <c>seed-key-check</c> holds a sealed marker,
/// so a start with a missing or wrong key is refused before any login (<see cref="PrepareAsync"/>).
/// <c>TotpEnrollmentStore.*.cs</c>: pending enrollments, sealing, scratch codes, import and the stored record.
/// </summary>
internal sealed partial class TotpEnrollmentStore
{
    /// <summary>Digits of a scratch code.</summary>
    public const int ScratchCodeDigits = 8;

    // 160 bits: the length RFC 4226 recommends and SHA-1's output size (a multiple of 5 bytes, so no Base32 padding).
    private const int SecretLength = 20;
    private const string EnrollmentPrefix = "enrollment/";
    private const string ScratchUsedPrefix = "scratch-used/";
    private const string KeyCheckKey = "seed-key-check";
    private const string KeyCheckUser = "(seed key check)";

    private readonly IStateStore _state;
    private readonly TimeProvider _timeProvider;
    // Replaced during a rotation of a generated key (rekey), while logins go on.
    private volatile SeedProtector? _protector;
    private readonly DecodedEnrollments _decoded = new();
    private readonly Func<string, TotpEnrollment> _decode;

    /// <summary>Creates the store over <paramref name="state"/> (the instance's namespace).</summary>
    /// <param name="state">The instance's state store.</param>
    /// <param name="timeProvider">The clock (enrollment times).</param>
    public TotpEnrollmentStore(IStateStore state, TimeProvider timeProvider)
        : this(state, timeProvider, null)
    {
    }

    /// <summary>Creates the store; <paramref name="protector"/> seals secrets at rest (null keeps them in clear).</summary>
    internal TotpEnrollmentStore(IStateStore state, TimeProvider timeProvider, SeedProtector? protector)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _state = state;
        _timeProvider = timeProvider;
        _protector = protector;
        _decode = stored => ToEnrollment(Deserialize(stored));
    }

    /// <summary>The percent-encoded form of <paramref name="user"/> used in keys (so a '/' in a name cannot reach another key).</summary>
    /// <param name="user">A user name.</param>
    /// <returns>The key-safe name.</returns>
    public static string KeyOf(string user) => Uri.EscapeDataString(user);

    /// <summary>The enrollment of <paramref name="user"/>, or null when not enrolled.</summary>
    /// <param name="user">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The enrollment or null.</returns>
    public async ValueTask<TotpEnrollment?> GetAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        var json = await _state.GetAsync(EnrollmentPrefix + KeyOf(user), cancellationToken);
        if (json is null)
        {
            _decoded.Forget(user);
            return null;
        }

        return _decoded.Get(user, json, _decode);
    }

    /// <summary>An Otp.NET verifier of <paramref name="enrollment"/> (built once per decoded enrollment).</summary>
    /// <param name="enrollment">An enrollment, normally from <see cref="GetAsync"/>.</param>
    /// <returns>The verifier.</returns>
    public OtpNet.Totp VerifierOf(TotpEnrollment enrollment) => _decoded.VerifierOf(enrollment);

    /// <summary>
    /// Enrolls <paramref name="user"/> with a new random secret (160 bits) and <see cref="TotpSettings.ScratchCodes"/> scratch codes.
    /// Without <paramref name="replace"/> an existing enrollment is kept and the result is null (atomic: of two concurrent
    /// enrollments one wins).
    /// </summary>
    /// <param name="user">The user (the MFA identity requests will carry).</param>
    /// <param name="settings">Digits, period, algorithm and scratch code count.</param>
    /// <param name="replace">Replace an existing enrollment (its secret and scratch codes stop working).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new enrollment with its scratch codes in clear, or null when the user is already enrolled.</returns>
    public async ValueTask<NewTotpEnrollment?> EnrollAsync(string user, TotpSettings settings, bool replace, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(settings);
        if (_protector is null && await _state.GetAsync(KeyCheckKey, cancellationToken) is { } check)
        {
            // A store without the key must not gain a secret in clear beside sealed ones.
            throw new SeedKeyMismatchException($"the enrollments are encrypted (key id {SeedProtector.KeyIdOf(check)}): enroll through the instance configured with [totp] {SeedProtector.KeyOption}");
        }

        var (stored, codes) = NewRandomRecord(user, settings);
        return await WriteAsync(stored, replace, cancellationToken) ? new NewTotpEnrollment(ToEnrollment(stored), codes) : null;
    }

    /// <summary>Whether <paramref name="user"/> has an enrollment (without opening its secret).</summary>
    internal async ValueTask<bool> IsEnrolledAsync(string user, CancellationToken cancellationToken) =>
        await _state.GetAsync(EnrollmentPrefix + KeyOf(user), cancellationToken) is not null;

    private StoredEnrollment NewRecord(string user, string secret, OtpHashMode algorithm, int digits, int period, IReadOnlyList<string> scratchCodes)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return new StoredEnrollment
        {
            User = user,
            Secret = Seal(user, secret),
            Algorithm = algorithm,
            Digits = digits,
            Period = period,
            EnrolledAt = _timeProvider.GetUtcNow(),
            Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant(),
            ScratchSalt = Convert.ToBase64String(salt),
            ScratchHashes = [.. scratchCodes.Select(c => Convert.ToHexString(HashScratchCode(salt, c)))],
        };
    }

    // Without replace, an existing enrollment is kept (atomic: of two concurrent writes one wins) and the result is false.
    private async ValueTask<bool> WriteAsync(StoredEnrollment stored, bool replace, CancellationToken cancellationToken)
    {
        var key = EnrollmentPrefix + KeyOf(stored.User);
        var json = JsonSerializer.Serialize(stored, EnrollmentJsonContext.Default.StoredEnrollment);
        if (!replace)
        {
            return await _state.TryAddAsync(key, json, null, cancellationToken);
        }

        await _state.SetAsync(key, json, null, cancellationToken);
        return true;
    }

    /// <summary>Removes the enrollment of <paramref name="user"/> and its used-scratch-code records.</summary>
    /// <param name="user">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the user was not enrolled.</returns>
    public async ValueTask<bool> RemoveAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        var removed = await _state.RemoveAsync(EnrollmentPrefix + KeyOf(user), cancellationToken);
        removed |= await _state.RemoveAsync(PendingPrefix + KeyOf(user), cancellationToken);
        var used = new List<string>();
        await foreach (var (key, _) in _state.ListAsync(ScratchUsedPrefix + KeyOf(user) + "/", cancellationToken))
        {
            used.Add(key);
        }

        foreach (var key in used)
        {
            await _state.RemoveAsync(key, cancellationToken);
        }

        return removed;
    }

    /// <summary>Every enrollment, ordered by user.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The enrollments.</returns>
    public async ValueTask<IReadOnlyList<TotpEnrollment>> ListAsync(CancellationToken cancellationToken)
    {
        var enrollments = new List<TotpEnrollment>();
        await foreach (var (_, json) in _state.ListAsync(EnrollmentPrefix, cancellationToken))
        {
            enrollments.Add(ToEnrollment(Deserialize(json)));
        }

        return [.. enrollments.OrderBy(e => e.User, StringComparer.Ordinal)];
    }

    /// <summary>Records the user's clock drift on their enrollment (left alone if it was replaced meanwhile).</summary>
    /// <param name="enrollment">The enrollment the drift was measured on.</param>
    /// <param name="drift">Steps the user's clock is off (negative: late).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async ValueTask RecordDriftAsync(TotpEnrollment enrollment, int drift, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        var key = EnrollmentPrefix + KeyOf(enrollment.User);
        if (await _state.GetAsync(key, cancellationToken) is { } json && Deserialize(json) is { } stored && stored.Id == enrollment.Id)
        {
            await _state.SetAsync(key, JsonSerializer.Serialize(stored.With(stored.Secret, drift), EnrollmentJsonContext.Default.StoredEnrollment), null, cancellationToken);
        }
    }

    private TotpEnrollment ToEnrollment(StoredEnrollment stored) =>
        stored.ToEnrollment(SeedProtector.IsSealed(stored.Secret)
            ? Open(stored.User, stored.Secret, $"the secret of {stored.User} is encrypted but cannot be opened with [totp] {SeedProtector.KeyOption} (key id {_protector?.KeyId ?? "not set"})")
            : stored.Secret);

    private static StoredEnrollment Deserialize(string json) =>
        JsonSerializer.Deserialize(json, EnrollmentJsonContext.Default.StoredEnrollment)
        ?? throw new InvalidDataException("A TOTP enrollment record is empty.");
}
