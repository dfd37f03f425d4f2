using System.Net;
using MfaHost.PluginSdk;

namespace MfaHost.Configuration;

/// <summary><c>[metrics]</c>: the Prometheus endpoint and status page listener (off unless <c>listen</c> is set).</summary>
internal sealed record MetricsSettings
{
    /// <summary>Where <c>/metrics</c> and the status page listen; null: no listener.</summary>
    public IPEndPoint? Listen { get; init; }

    /// <summary>Whether <see cref="Listen"/> may be a non-loopback address.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>Whether the status page shows user names in the last decisions.</summary>
    public bool ShowUsers { get; init; }

    /// <summary>Reads <c>[metrics]</c>; a bad value is a configuration error naming file, line and option.</summary>
    public static MetricsSettings Load(IniSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var allowRemote = section.GetBool("allow_remote", false);
        var settings = new MetricsSettings { AllowRemote = allowRemote, ShowUsers = section.GetBool("show_users", false) };
        if (section.GetString("listen") is not { Length: > 0 } listen)
        {
            return settings;
        }

        var endpoint = ParseEndpoint(listen)
            ?? throw section.Error("listen", $"'{listen}' is not an IP address and port such as 127.0.0.1:9464 or [::1]:9464");

        if (!IPAddress.IsLoopback(endpoint.Address) && !allowRemote)
        {
            throw section.Error(
                "listen",
                $"'{listen}' is not a loopback address; the metrics and status page are unauthenticated, so set allow_remote = yes to listen beyond this machine");
        }

        return settings with { Listen = endpoint };
    }

    // IPEndPoint.TryParse alone would take "::1" or "127.0.0.1" without a port as port 0.
    private static IPEndPoint? ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, null, out var port))
        {
            return null;
        }

        var host = text[..colon];
        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (bracketed)
        {
            host = host[1..^1];
        }

        return IPAddress.TryParse(host, out var address)
            && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == bracketed
            && (bracketed || host.Count(c => c == '.') == 3)
            ? new IPEndPoint(address, port)
            : null;
    }
}
