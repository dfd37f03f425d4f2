
namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>Storing imported enrollments (<c>mfahost totp import</c>), many writes in flight at once.</summary>
internal sealed partial class TotpEnrollmentStore
{
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

    private ValueTask<bool> StoreImportedAsync(Import.ImportedEnrollment enrollment, bool replace, CancellationToken cancellationToken) =>
        WriteAsync(NewRecord(enrollment.User, enrollment.Secret, enrollment.Algorithm, enrollment.Digits, enrollment.Period, enrollment.ScratchCodes), replace, cancellationToken);
}
