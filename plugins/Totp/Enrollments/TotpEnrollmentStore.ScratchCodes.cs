using System.Security.Cryptography;
using System.Text;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>Scratch codes: stored as salted SHA-256 hashes, each used once (claimed atomically under <c>scratch-used/</c>).</summary>
internal sealed partial class TotpEnrollmentStore
{
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
}
