using System.Globalization;

namespace MfaHost.Plugins.Hmc.Configuration;

/// <summary>One configured HMC: a host name (or address) and the WS API port.</summary>
internal sealed record HmcEndpoint(string Host, int Port)
{
    /// <summary>The API's base address, <c>https://host:port/</c>.</summary>
    public Uri BaseAddress => new UriBuilder(Uri.UriSchemeHttps, Host, Port, "/").Uri;

    /// <summary>
    /// Parses a <c>hosts</c> entry: <c>name</c>, <c>name:port</c>, <c>[v6-address]</c> or
    /// <c>[v6-address]:port</c>; an entry without a port gets <paramref name="defaultPort"/>.
    /// </summary>
    /// <returns>Null with <paramref name="problem"/> set when the entry is malformed.</returns>
    public static HmcEndpoint? TryParse(string entry, int defaultPort, out string? problem)
    {
        problem = null;
        string host;
        string? portText = null;
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = $"'{entry}' has '[' without ']'";
                return null;
            }

            host = entry[1..close];
            var rest = entry[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    problem = $"'{entry}' has text after ']' that is not ':port'";
                    return null;
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = entry.LastIndexOf(':');
            if (colon >= 0 && entry.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                problem = $"'{entry}' looks like an IPv6 address: write it as [address] or [address]:port";
                return null;
            }

            host = colon >= 0 ? entry[..colon] : entry;
            portText = colon >= 0 ? entry[(colon + 1)..] : null;
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace) || host.Contains('/', StringComparison.Ordinal))
        {
            problem = $"'{entry}' is not a host name, host:port or [address]:port";
            return null;
        }

        var port = defaultPort;
        if (portText is not null &&
            (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problem = $"'{entry}' has port '{portText}', which is not a port number (1 to 65535)";
            return null;
        }

        return new HmcEndpoint(host, port);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
