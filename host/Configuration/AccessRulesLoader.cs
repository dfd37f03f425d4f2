using System.Collections.Frozen;
using System.Globalization;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary>Reads <c>[access]</c>: <c>gateway_uids</c>, <c>admin_uids</c>, <c>ticket_uids</c> and <c>applids_&lt;uid&gt;</c> (other options are refused by <see cref="HostFileOptions"/>).</summary>
internal static class AccessRulesLoader
{
    private const string ApplidsPrefix = "applids_";

    /// <summary>The per-uid APPLID lists, as <see cref="OptionSchema"/> writes a family of options.</summary>
    public const string ApplidsOption = ApplidsPrefix + "<uid>";

    public static AccessRules Load(IniSection access)
    {
        var ticketUids = Uids(access, "ticket_uids");
        var applids = new Dictionary<uint, FrozenSet<string>>();
        foreach (var (option, _) in access.Entries)
        {
            if (option.StartsWith(ApplidsPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (!uint.TryParse(option[ApplidsPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                {
                    throw access.Error(option, $"'{option}' must be applids_<numeric uid>");
                }

                if (!ticketUids.Contains(uid))
                {
                    throw access.Error(option, $"uid {uid} has an APPLID list but is not in ticket_uids");
                }

                applids[uid] = access.GetList(option).Select(a => Applid(access, option, a)).ToFrozenSet(StringComparer.Ordinal);
            }
        }

        return new AccessRules
        {
            GatewayUids = Uids(access, "gateway_uids"),
            AdminUids = Uids(access, "admin_uids"),
            TicketUids = ticketUids,
            TicketApplids = applids.ToFrozenDictionary(),
        };
    }

    private static FrozenSet<uint> Uids(IniSection access, string option) =>
        access.GetList(option)
            .Select(item => uint.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                ? uid
                : throw access.Error(option, $"'{item}' is not a numeric uid"))
            .ToFrozenSet();

    private static string Applid(IniSection access, string option, string applid) =>
        Configuration.Applid.Normalize(applid) ?? throw access.Error(option, $"'{applid}' is not an APPLID ({Configuration.Applid.Rule})");
}
