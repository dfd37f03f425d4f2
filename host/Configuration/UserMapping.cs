using System.Collections.Frozen;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>
/// The gateway username → identity at the MFA service: an explicit <c>[usermapping]</c> line (looked up by
/// the lower-cased username) wins; otherwise <c>[username_transform] append_domain</c> adds <c>@domain</c>;
/// otherwise the username itself.
/// </summary>
internal sealed record UserMapping(FrozenDictionary<string, string> Explicit, string? AppendDomain)
{
    public static UserMapping None { get; } = new(FrozenDictionary<string, string>.Empty, null);

    public string Map(string username)
    {
        if (Explicit.Count > 0 && Explicit.TryGetValue(username.ToLowerInvariant(), out var identity))
        {
            return identity;
        }

        return AppendDomain is null ? username : $"{username}@{AppendDomain}";
    }

    public static UserMapping Read(IniSection usermapping, IniSection transform)
    {
        ArgumentNullException.ThrowIfNull(usermapping);
        ArgumentNullException.ThrowIfNull(transform);
        var explicitMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (username, identity) in usermapping.Entries)
        {
            if (identity.Length == 0)
            {
                throw usermapping.Error(username, "maps to an empty identity");
            }

            explicitMap[username.ToLowerInvariant()] = identity;
        }

        var domain = transform.GetString("append_domain")?.TrimStart('@');
        if (domain is { Length: 0 } || domain?.Any(char.IsWhiteSpace) == true)
        {
            throw transform.Error("append_domain", $"'{transform.GetString("append_domain")}' is not a domain name");
        }

        return new UserMapping(explicitMap.ToFrozenDictionary(StringComparer.Ordinal), domain);
    }
}
