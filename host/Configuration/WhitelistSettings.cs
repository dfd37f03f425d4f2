using System.Collections.Frozen;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// <c>[whitelist]</c>: <c>allow = no_user</c> (default) lets only the listed <c>users</c> bypass MFA;
/// <c>allow = all_users</c> lets everyone bypass except the listed users. Names compare case-insensitively.
/// </summary>
internal sealed record WhitelistSettings(bool AllowAllUsers, FrozenSet<string> Users)
{
    public static WhitelistSettings None { get; } = new(false, FrozenSet<string>.Empty);

    public bool IsWhitelisted(string username) => AllowAllUsers != Users.Contains(username);

    public static WhitelistSettings Read(IniSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var allow = section.GetString("allow", "no_user")!;
        var allowAll = allow.ToLowerInvariant() switch
        {
            "no_user" => false,
            "all_users" => true,
            _ => throw section.Error("allow", $"'{allow}' is not one of no_user, all_users"),
        };
        return new WhitelistSettings(allowAll, section.GetList("users").ToFrozenSet(StringComparer.OrdinalIgnoreCase));
    }
}
