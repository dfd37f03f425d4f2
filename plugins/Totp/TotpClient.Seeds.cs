using System.Text.Json.Nodes;
using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Totp;

/// <summary>
/// Seeds are always sealed: with <c>[totp] seed_key</c> when it is set, else with a key the instance generates in its
/// data folder (<see cref="GeneratedSeedKey"/>). A store sealed with a key this instance does not have refuses to
/// start. <c>mfahost totp rekey</c> (the <c>rekey</c> operation) seals every secret again under a new key.
/// </summary>
public sealed partial class TotpClient
{
    // Null when seed_key comes from the configuration.
    private GeneratedSeedKey? _generatedKey;
    private int _rekeying;

    /// <summary>The key secrets are sealed with now (for tests that write enrollments beside the instance).</summary>
    internal SeedProtector? Seeds => _enrollments.Protector;

    // Before the first login: choose the key, refuse a missing or wrong one, seal secrets still in clear or under the
    // previous key, finish a rotation a crash interrupted. The constructor is the plugin's only start hook, and the
    // store answers at once, so waiting here is harmless. An instance that only validates (check-config) checks the key
    // it would use against the store and changes nothing: no key is generated, no secret sealed, no rotation finished.
    private void PrepareSeeds(MfaPluginContext context)
    {
        var section = context.Configuration.Section(TotpSettings.SectionName);
        var checkOnly = context.ValidationOnly;
        string? next = null;
        var created = false;
        if (_enrollments.Protector is null)
        {
            if (context.DataDirectory is null)
            {
                throw section.Error(SeedProtector.KeyOption, "is not set, and the host gives this instance no data folder to keep a generated key in: set it (docs/totp.md)");
            }

            _generatedKey = new GeneratedSeedKey(context.DataDirectory);
            try
            {
                (next, created) = UseGeneratedKey(section, _generatedKey, checkOnly);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw section.Error(SeedProtector.KeyOption, $"is not set, and the generated key in {context.DataDirectory} cannot be used: {e.Message}");
            }
        }

        int rewritten;
        try
        {
            rewritten = _enrollments.Protector is null && checkOnly && _generatedKey is not null
                ? 0
                : _enrollments.PrepareAsync(CancellationToken.None, checkOnly).AsTask().GetAwaiter().GetResult();
        }
        catch (SeedKeyMismatchException e)
        {
            throw section.Error(SeedProtector.KeyOption, _generatedKey is null ? e.Message : $"is not set, and the generated key {_generatedKey.KeyFile} does not open the enrollments: {e.Message}");
        }

        if (checkOnly)
        {
            // One line for the operator, and only about a key that exists.
            if (_generatedKey is not null && _enrollments.Protector is not null)
            {
                LogGeneratedKey(Logger, _generatedKey.KeyFile);
            }

            return;
        }

        if (next is not null)
        {
            _generatedKey!.CompleteRotation();
            _enrollments.UseProtector(SeedProtector.FromKeys(next, null)!);
            LogRotationFinished(Logger, _generatedKey.KeyFile);
        }

        if (rewritten > 0)
        {
            LogSealed(Logger, rewritten);
        }

        // A key made just now was announced when it was made: the same advice once, not twice.
        if (_generatedKey is not null && !created)
        {
            LogGeneratedKey(Logger, _generatedKey.KeyFile);
        }
    }

    // The generated key (created on a store that holds no sealed secret yet, unless only checking: then none is used);
    // returns the key of an unfinished rotation and whether the key was created now.
    private (string? Next, bool Created) UseGeneratedKey(IniSection section, GeneratedSeedKey generated, bool checkOnly)
    {
        var current = generated.ReadCurrent();
        var next = generated.ReadNext();
        if (current is null && next is not null)
        {
            // A rotation got as far as the rename's first half on a file system that does not rename atomically.
            if (!checkOnly)
            {
                generated.CompleteRotation();
            }

            (current, next) = (next, null);
        }

        var created = false;
        if (current is null)
        {
            if (_enrollments.SealedKeyIdAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } keyId)
            {
                throw section.Error(SeedProtector.KeyOption, $"is not set and the generated key {generated.KeyFile} is missing, but the enrollments are encrypted (key id {keyId}): restore that file, or set seed_key to the key (docs/totp.md)");
            }

            if (checkOnly)
            {
                // Nothing is sealed yet: the instance that serves generates the key.
                return (null, false);
            }

            current = generated.CreateCurrent();
            created = true;
            LogKeyCreated(Logger, generated.KeyFile);
        }

        var protector = SeedProtector.FromKeys(next ?? current, next is null ? null : current)
            ?? throw section.Error(SeedProtector.KeyOption, $"is not set, and {generated.KeyFile} (or {GeneratedSeedKey.NextFileName}) does not hold 32 bytes in Base64");
        _enrollments.UseProtector(protector);
        return (next, created);
    }

    private async ValueTask<JsonNode> RekeyAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _rekeying, 1) == 1)
        {
            throw new MfaAdminException($"a rekey of instance '{Context.InstanceName}' is already running");
        }

        try
        {
            var before = _enrollments.Protector!;
            if (_generatedKey is null)
            {
                if (before.PreviousKeyId is null)
                {
                    throw new MfaAdminException($"[totp] seed_key comes from the configuration (key id {before.KeyId}), which this command cannot change: put the new key in seed_key and the old one in seed_key_previous, run mfahost reload, then rekey again to check (docs/totp.md)");
                }

                var resealed = await _enrollments.PrepareAsync(cancellationToken);
                LogRekeyed(Logger, resealed, before.PreviousKeyId, before.KeyId);
                return RekeyResult(resealed, before.KeyId, before.PreviousKeyId, $"every secret is sealed with seed_key: remove seed_key_previous from the configuration");
            }

            // The new key is on disk before anything is sealed with it; until the rename both keys open every secret, so
            // an interruption leaves a readable store and the next start (or rekey) finishes the rotation.
            var current = _generatedKey.ReadCurrent() ?? throw new MfaAdminException($"the generated key {_generatedKey.KeyFile} has disappeared: restore it before a rekey");
            var next = _generatedKey.CreateNext();
            var rotating = SeedProtector.FromKeys(next, current) ?? throw new MfaAdminException($"{_generatedKey.KeyFile} or {GeneratedSeedKey.NextFileName} does not hold 32 bytes in Base64");
            _enrollments.UseProtector(rotating);
            var rewritten = await _enrollments.PrepareAsync(cancellationToken);
            _generatedKey.CompleteRotation();
            _enrollments.UseProtector(SeedProtector.FromKeys(next, null)!);
            LogRekeyed(Logger, rewritten, rotating.PreviousKeyId!, rotating.KeyId);
            return RekeyResult(rewritten, rotating.KeyId, rotating.PreviousKeyId!, $"the new key is in {_generatedKey.KeyFile}: move it into the credential store (seed_key = $) and keep a copy offline");
        }
        finally
        {
            Volatile.Write(ref _rekeying, 0);
        }
    }

    private static JsonObject RekeyResult(int rewritten, string keyId, string previousKeyId, string next) => new()
    {
        ["rewritten"] = rewritten,
        ["key_id"] = keyId,
        ["previous_key_id"] = previousKeyId,
        ["next"] = next,
    };

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "TOTP secrets of {Count} enrollment(s) sealed with the current seed key (they were in clear or under the previous key)")]
    private static partial void LogSealed(ILogger logger, int count);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "TOTP secrets are sealed with the key generated in {KeyFile} because [totp] seed_key is not set: move the key into the credential store (seed_key = $), keep a copy offline, and delete the file (see docs/totp.md)")]
    private static partial void LogGeneratedKey(ILogger logger, string keyFile);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "TOTP seed key generated in {KeyFile} (readable by the host's user only): without it no enrollment can be used; because [totp] seed_key is not set, move the key into the credential store (seed_key = $), keep a copy offline, and delete the file (see docs/totp.md)")]
    private static partial void LogKeyCreated(ILogger logger, string keyFile);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "TOTP rekey: {Count} secret(s) sealed again, key id {PreviousKeyId} -> {KeyId}")]
    private static partial void LogRekeyed(ILogger logger, int count, string previousKeyId, string keyId);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Warning, Message = "TOTP: an interrupted rekey was finished; the key is now the one in {KeyFile}")]
    private static partial void LogRotationFinished(ILogger logger, string keyFile);
}
