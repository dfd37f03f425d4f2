using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
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

    /// <summary>
    /// Checks the seed key against the store and brings every enrollment under it: secrets in clear (a store from before
    /// the key was set) and secrets sealed with <c>seed_key_previous</c> are sealed again with <c>seed_key</c>. Safe to
    /// interrupt: a later run finishes the job. Returns how many enrollments were (with <paramref name="checkOnly"/>: would
    /// be) rewritten; <paramref name="checkOnly"/> checks the key and writes nothing.
    /// </summary>
    /// <exception cref="SeedKeyMismatchException">The store is sealed and no key is set, or sealed with another key.</exception>
    internal async ValueTask<int> PrepareAsync(CancellationToken cancellationToken, bool checkOnly = false)
    {
        var check = await _state.GetAsync(KeyCheckKey, cancellationToken);
        var protector = _protector;
        if (protector is null)
        {
            return check is null
                ? 0
                : throw new SeedKeyMismatchException($"the enrollments are encrypted (key id {SeedProtector.KeyIdOf(check)}) but [totp] {SeedProtector.KeyOption} is not set");
        }

        if (check is not null)
        {
            Open(KeyCheckUser, check, $"the key (key id {protector.KeyId}) is not the key the enrollments are encrypted with (key id {SeedProtector.KeyIdOf(check)}); to rotate keys set the old one as {SeedProtector.PreviousKeyOption}");
        }

        var pending = new List<Task<bool>>();
        foreach (var prefix in new[] { EnrollmentPrefix, PendingPrefix })
        {
            await foreach (var (key, json) in _state.ListAsync(prefix, cancellationToken))
            {
                if (!IsSealedWith(protector, Deserialize(json)))
                {
                    pending.Add(checkOnly ? Task.FromResult(true) : ResealAsync(key, protector, cancellationToken));
                }
            }
        }

        var rewritten = (await Task.WhenAll(pending)).Count(r => r);
        if (!checkOnly && (check is null || !protector.IsCurrent(check)))
        {
            await _state.SetAsync(KeyCheckKey, protector.Seal(KeyCheckUser, "ok"), null, cancellationToken);
        }

        return rewritten;
    }

    private static bool IsSealedWith(SeedProtector protector, StoredEnrollment stored) =>
        SeedProtector.IsSealed(stored.Secret) && protector.IsCurrent(stored.Secret);

    // Read again just before the write, so an enrollment replaced meanwhile (enroll --force, import --force) is not
    // overwritten with the old one; the store has no compare-and-set, so the window is narrowed, not closed.
    private async Task<bool> ResealAsync(string key, SeedProtector protector, CancellationToken cancellationToken)
    {
        if (await _state.GetAsync(key, cancellationToken) is not { } json)
        {
            return false;
        }

        var stored = Deserialize(json);
        if (IsSealedWith(protector, stored))
        {
            return false;
        }

        var secret = SeedProtector.IsSealed(stored.Secret)
            ? Open(stored.User, stored.Secret, $"the secret of {stored.User} is encrypted with key id {SeedProtector.KeyIdOf(stored.Secret)}, which is neither the key nor the previous key")
            : stored.Secret;
        var expires = key.StartsWith(PendingPrefix, StringComparison.Ordinal) ? (await _state.TryGetExpiryAsync(key, cancellationToken)).ExpiresAt : null;
        await _state.SetAsync(key, JsonSerializer.Serialize(stored.With(protector.Seal(stored.User, secret)), EnrollmentJsonContext.Default.StoredEnrollment), expires, cancellationToken);
        return true;
    }

    /// <summary>The protector secrets are sealed and opened with (null: in clear).</summary>
    internal SeedProtector? Protector => _protector;

    /// <summary>Seals with <paramref name="protector"/> from now on (it opens what the one before sealed, as its previous key or the same key).</summary>
    internal void UseProtector(SeedProtector protector) => _protector = protector;

    /// <summary>The id of the key the store's secrets are sealed with, or null when they are not sealed.</summary>
    internal async ValueTask<string?> SealedKeyIdAsync(CancellationToken cancellationToken) =>
        await _state.GetAsync(KeyCheckKey, cancellationToken) is { } check ? SeedProtector.KeyIdOf(check) : null;

    private string Open(string user, string sealedValue, string problem)
    {
        try
        {
            return _protector?.Open(user, sealedValue) ?? throw new CryptographicException();
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw new SeedKeyMismatchException(problem);
        }
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

    /// <summary>
    /// Stores imported enrollments (their own secrets, parameters and scratch codes, hashed here), many writes in
    /// flight at once so the store commits them in large batches. A user already enrolled is skipped unless
    /// <paramref name="replace"/>. Reports progress after each enrollment.
    /// </summary>
    internal async ValueTask<(int Imported, int Skipped)> ImportAsync(
        IReadOnlyList<Import.ImportedEnrollment> enrollments, bool replace, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        if (_protector is null && await _state.GetAsync(KeyCheckKey, cancellationToken) is { } check)
        {
            throw new SeedKeyMismatchException($"the enrollments are encrypted (key id {SeedProtector.KeyIdOf(check)}): import through the instance configured with [totp] {SeedProtector.KeyOption}");
        }

        var skipped = new List<string>();
        await ImportBatchAsync(enrollments, replace, skipped, progress, cancellationToken);
        return (enrollments.Count - skipped.Count, skipped.Count);
    }

    /// <summary>Like <see cref="ImportAsync"/>, collecting the users skipped because they were already enrolled.</summary>
    internal async ValueTask ImportBatchAsync(
        IReadOnlyList<Import.ImportedEnrollment> enrollments, bool replace, List<string> skipped, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        const int InFlight = 256;
        var done = 0;
        var writes = new List<Task<bool>>(InFlight);
        foreach (var chunk in enrollments.Chunk(InFlight))
        {
            writes.Clear();
            foreach (var enrollment in chunk)
            {
                writes.Add(StoreImportedAsync(enrollment, replace, cancellationToken).AsTask());
            }

            var written = await Task.WhenAll(writes);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (!written[i])
                {
                    skipped.Add(chunk[i].User);
                }

                progress?.Report(++done);
            }
        }
    }

    /// <summary>Whether <paramref name="user"/> has an enrollment (without opening its secret).</summary>
    internal async ValueTask<bool> IsEnrolledAsync(string user, CancellationToken cancellationToken) =>
        await _state.GetAsync(EnrollmentPrefix + KeyOf(user), cancellationToken) is not null;

    private ValueTask<bool> StoreImportedAsync(Import.ImportedEnrollment enrollment, bool replace, CancellationToken cancellationToken) =>
        WriteAsync(NewRecord(enrollment.User, enrollment.Secret, enrollment.Algorithm, enrollment.Digits, enrollment.Period, enrollment.ScratchCodes), replace, cancellationToken);

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

    /// <summary>How many of the enrollment's scratch codes are still unused.</summary>
    /// <param name="enrollment">The enrollment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    public async ValueTask<int> CountScratchCodesLeftAsync(TotpEnrollment enrollment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(enrollment);
        var used = 0;
        await foreach (var _ in _state.ListAsync(ScratchUsedPrefix + KeyOf(enrollment.User) + "/" + enrollment.Id + "/", cancellationToken))
        {
            used++;
        }

        return Math.Max(0, enrollment.ScratchCodeCount - used);
    }

    /// <summary>
    /// Uses one of the user's scratch codes: true once per code. The code is hashed with the enrollment's salt and
    /// compared in constant time with every stored hash; the match is then claimed atomically, so of concurrent
    /// uses of one code exactly one succeeds.
    /// </summary>
    /// <param name="user">The user.</param>
    /// <param name="code">What the user typed. A secret: never log it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the code was an unused scratch code of the user's current enrollment.</returns>
    public ValueTask<bool> TryUseScratchCodeAsync(string user, string code, CancellationToken cancellationToken) =>
        TryUseScratchCodeAsync(EnrollmentPrefix, user, code, cancellationToken);

    private async ValueTask<bool> TryUseScratchCodeAsync(string prefix, string user, string code, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(code);
        if (code.Length != ScratchCodeDigits || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var json = await _state.GetAsync(prefix + KeyOf(user), cancellationToken);
        if (json is null)
        {
            return false;
        }

        var stored = Deserialize(json);
        var hash = HashScratchCode(Convert.FromBase64String(stored.ScratchSalt), code);
        var match = -1;
        Span<byte> candidate = stackalloc byte[SHA256.HashSizeInBytes];
        for (var i = 0; i < stored.ScratchHashes.Count; i++)
        {
            if (Convert.FromHexString(stored.ScratchHashes[i], candidate, out _, out var written) == System.Buffers.OperationStatus.Done &&
                CryptographicOperations.FixedTimeEquals(candidate[..written], hash) && match < 0)
            {
                match = i;
            }
        }

        return match >= 0 && await _state.TryAddAsync(
            $"{ScratchUsedPrefix}{KeyOf(user)}/{stored.Id}/{match}",
            _timeProvider.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            null,
            cancellationToken);
    }

    private static byte[] HashScratchCode(byte[] salt, string code)
    {
        Span<byte> input = stackalloc byte[salt.Length + ScratchCodeDigits];
        salt.CopyTo(input);
        Encoding.ASCII.GetBytes(code, input[salt.Length..]);
        return SHA256.HashData(input);
    }

    private string Seal(string user, string secret) => _protector?.Seal(user, secret) ?? secret;

    private TotpEnrollment ToEnrollment(StoredEnrollment stored) =>
        stored.ToEnrollment(SeedProtector.IsSealed(stored.Secret)
            ? Open(stored.User, stored.Secret, $"the secret of {stored.User} is encrypted but cannot be opened with [totp] {SeedProtector.KeyOption} (key id {_protector?.KeyId ?? "not set"})")
            : stored.Secret);

    private static StoredEnrollment Deserialize(string json) =>
        JsonSerializer.Deserialize(json, EnrollmentJsonContext.Default.StoredEnrollment)
        ?? throw new InvalidDataException("A TOTP enrollment record is empty.");

    /// <summary>The stored form: the public record (the secret in clear or sealed) plus the scratch codes' salt and hashes.</summary>
    internal sealed class StoredEnrollment
    {
        public required string User { get; init; }

        public required string Secret { get; init; }

        public OtpHashMode Algorithm { get; init; }

        public int Digits { get; init; }

        public int Period { get; init; }

        public DateTimeOffset EnrolledAt { get; init; }

        public required string Id { get; init; }

        public string ScratchSalt { get; init; } = "";

        public IReadOnlyList<string> ScratchHashes { get; init; } = [];

        public int Drift { get; init; }

        public StoredEnrollment With(string secret, int? drift = null) => new()
        {
            User = User,
            Secret = secret,
            Drift = drift ?? Drift,
            Algorithm = Algorithm,
            Digits = Digits,
            Period = Period,
            EnrolledAt = EnrolledAt,
            Id = Id,
            ScratchSalt = ScratchSalt,
            ScratchHashes = ScratchHashes,
        };

        public TotpEnrollment ToEnrollment(string secret) => new()
        {
            User = User,
            Secret = secret,
            Algorithm = Algorithm,
            Digits = Digits,
            Period = Period,
            EnrolledAt = EnrolledAt,
            Id = Id,
            ScratchCodeCount = ScratchHashes.Count,
            Drift = Drift,
        };
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(StoredEnrollment))]
    internal sealed partial class EnrollmentJsonContext : JsonSerializerContext;
}
