using System.Text.Json.Serialization;
using OtpNet;

namespace MfaHost.Plugins.Totp.Enrollments;

/// <summary>The stored record and its JSON.</summary>
internal sealed partial class TotpEnrollmentStore
{
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
