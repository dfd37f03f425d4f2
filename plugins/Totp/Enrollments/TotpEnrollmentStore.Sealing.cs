using System.Security.Cryptography;
using System.Text.Json;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>Sealing secrets at rest: the seed-key check, bringing every enrollment under the current key, opening and sealing one secret.</summary>
internal sealed partial class TotpEnrollmentStore
{
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

    private string Seal(string user, string secret) => _protector?.Seal(user, secret) ?? secret;
}
