namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>What <see cref="TotpEnrollmentStore.EnrollAsync"/> created: the enrollment and its scratch codes in clear, shown to the user once (only their hashes are kept).</summary>
/// <param name="Enrollment">The enrollment.</param>
/// <param name="ScratchCodes">The single-use 8-digit scratch codes.</param>
internal sealed record NewTotpEnrollment(TotpEnrollment Enrollment, IReadOnlyList<string> ScratchCodes);
