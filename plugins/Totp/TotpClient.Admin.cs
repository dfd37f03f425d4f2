using System.Globalization;
using System.Text.Json.Nodes;
using MfaHost.Plugins.Totp.Administration;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Totp;

/// <summary>The administrative operations behind <c>mfahost totp enroll|list|remove</c> (the host's <c>admin</c> method).</summary>
public sealed partial class TotpClient
{
    private static readonly IReadOnlyList<MfaAdminOperation> Operations =
    [
        new("enroll", "Enroll 'user' with a new secret and scratch codes, pending until its first code (optional 'issuer'; 'replace': true replaces an enrollment once confirmed; 'no_confirm': true makes it active at once); returns the otpauth URI and the scratch codes, shown once"),
        new("confirm", "Make the pending enrollment of 'user' active with a current 'code' from it"),
        new("list", "The enrolled users: when, parameters, scratch codes left (never secrets)"),
        new("remove", "Remove the enrollment of 'user' (secret and scratch codes)"),
        new("import", "Send a part of an import: 'parts' [{file, first_line, text, size}] ('format' uri|google-authenticator|csv, and no 'import' id, on the first call); returns the 'import' id, enrollments staged and errors so far; nothing is written"),
        new("rekey", "Seal every secret again under a new key: a new generated key, or with seed_key_previous set, the configured seed_key; returns the key ids and how many secrets were rewritten"),
        new("import-finish", "Check the whole 'import' (every bad line is refused, nothing written) and write its next 'batch' of enrollments ('replace': true replaces enrollments, 'dry_run': true writes nothing); call until 'finished'"),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<MfaAdminOperation> AdminOperations => Operations;

    /// <inheritdoc />
    protected override async ValueTask<JsonNode?> AdminAsync(string operation, JsonObject arguments, CancellationToken cancellationToken) => operation switch
    {
        "enroll" => await EnrollAsync(arguments, cancellationToken),
        "list" => await ListAsync(cancellationToken),
        "import" => ImportPart(arguments),
        "import-finish" => await ImportFinishAsync(arguments, cancellationToken),
        "rekey" => await RekeyAsync(cancellationToken),
        "confirm" => await ConfirmOperationAsync(arguments, cancellationToken),
        _ => await RemoveAsync(arguments, cancellationToken),
    };

    private async ValueTask<JsonNode> EnrollAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var user = AdminArguments.OptionalString(arguments, "user") ?? string.Empty;
        var issuer = AdminArguments.OptionalString(arguments, "issuer") ?? _settings.Issuer;
        if (user.Length == 0 || user.Contains(':', StringComparison.Ordinal))
        {
            throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"user '{user}' cannot be enrolled: an otpauth URI does not allow an empty name or ':' in it");
        }

        if (issuer.Contains(':', StringComparison.Ordinal))
        {
            throw new MfaAdminException(MfaAdminErrorKind.InvalidArguments, $"issuer '{issuer}': an otpauth URI does not allow ':' in the issuer");
        }

        var replace = AdminArguments.OptionalBool(arguments, "replace");
        var noConfirm = AdminArguments.OptionalBool(arguments, "no_confirm");
        var created = noConfirm
            ? await _enrollments.EnrollAsync(user, _settings, replace, cancellationToken)
            : await _enrollments.EnrollPendingAsync(user, _settings, replace, _settings.PendingTtl, cancellationToken);
        if (created is null)
        {
            var existing = await _enrollments.GetAsync(user, cancellationToken);
            throw new MfaAdminException($"{user} is already enrolled in instance '{Context.InstanceName}'" + (existing is null ? string.Empty : $" (since {Format(existing.EnrolledAt)})"));
        }

        var enrollment = created.Enrollment;
        LogEnrolled(Logger, user, enrollment.AlgorithmName, enrollment.Digits, enrollment.Period);
        return new JsonObject
        {
            ["pending"] = !noConfirm,
            ["pending_until"] = noConfirm ? null : (_time.GetUtcNow() + _settings.PendingTtl).ToString("O", CultureInfo.InvariantCulture),
            ["user"] = user,
            ["uri"] = enrollment.ToOtpUri(issuer).ToString(),
            ["algorithm"] = enrollment.AlgorithmName,
            ["digits"] = enrollment.Digits,
            ["period"] = enrollment.Period,
            ["scratch_codes"] = new JsonArray([.. created.ScratchCodes.Select(c => JsonValue.Create(c))]),
        };
    }

    private async ValueTask<JsonNode> ListAsync(CancellationToken cancellationToken)
    {
        var rows = new JsonArray();
        var pending = await _enrollments.ListPendingAsync(cancellationToken);
        foreach (var enrollment in await _enrollments.ListAsync(cancellationToken))
        {
            var row = new JsonObject
            {
                ["user"] = enrollment.User,
                ["enrolled_at"] = Iso(enrollment.EnrolledAt),
                ["algorithm"] = enrollment.AlgorithmName,
                ["digits"] = enrollment.Digits,
                ["period"] = enrollment.Period,
                ["scratch_codes_left"] = await _enrollments.CountScratchCodesLeftAsync(enrollment, cancellationToken),
                ["scratch_codes_issued"] = enrollment.ScratchCodeCount,
            };
            if (pending.TryGetValue(enrollment.User, out var replacement))
            {
                row["replacement_pending_until"] = Iso(replacement.ExpiresAt);
            }

            rows.Add(row);
        }

        var active = rows.Select(r => r!["user"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (user, (enrolledAt, expiresAt)) in pending.Where(p => !active.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            rows.Add(new JsonObject { ["user"] = user, ["enrolled_at"] = Iso(enrolledAt), ["pending_until"] = Iso(expiresAt) });
        }

        return new JsonObject { ["enrollments"] = rows };
    }

    private static string? Iso(DateTimeOffset? at) => at?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private async ValueTask<JsonNode> RemoveAsync(JsonObject arguments, CancellationToken cancellationToken)
    {
        var user = AdminArguments.RequiredString(arguments, "user");
        if (!await _enrollments.RemoveAsync(user, cancellationToken))
        {
            throw new MfaAdminException($"{user} is not enrolled in instance '{Context.InstanceName}'");
        }

        LogRemoved(Logger, user);
        return new JsonObject { ["user"] = user, ["removed"] = true };
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "TOTP enrollment created for {User} ({Algorithm}, {Digits} digits, {Period} s)")]
    private static partial void LogEnrolled(ILogger logger, string user, string algorithm, int digits, int period);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "TOTP enrollment removed for {User}")]
    private static partial void LogRemoved(ILogger logger, string user);
}
