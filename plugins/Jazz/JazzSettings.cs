using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Jazz;

/// <summary>The <c>[jazz]</c> section of an instance file, validated.</summary>
internal sealed record JazzSettings(
    Uri Url,
    Uri AuthUrl,
    string ProbePath,
    string? CaFile,
    TimeSpan RequestTimeout,
    bool AllowInsecure,
    bool OtpSuffix)
{
    public const string SectionName = "jazz";

    /// <summary>Reads and checks <c>[jazz]</c>; every problem names file, section, option and value.</summary>
    /// <exception cref="MfaConfigurationException">An option is missing or wrong.</exception>
    public static JazzSettings Load(PluginConfiguration configuration)
    {
        var section = configuration.Section(SectionName);
        var allowInsecure = section.GetBool("allow_insecure", false);
        var url = ReadRoot(section, "url", section.GetRequiredString("url"), allowInsecure);
        var authText = section.GetString("auth_url");
        var authUrl = authText is null ? url : ReadRoot(section, "auth_url", authText, allowInsecure);

        var probePath = section.GetString("probe_path", "/process/project-areas")!;
        if (!probePath.StartsWith('/') || probePath.Contains("://", StringComparison.Ordinal))
        {
            throw section.Error("probe_path", $"'{probePath}' must be a path below url, starting with '/'");
        }

        var caFile = section.GetString("ca_file");
        if (caFile is not null)
        {
            caFile = configuration.ResolvePath(caFile);
            if (!File.Exists(caFile))
            {
                throw section.Error("ca_file", $"'{caFile}' does not exist");
            }
        }

        var timeout = section.GetSeconds("request_timeout", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(0.1), TimeSpan.FromMinutes(10));
        var otpSuffix = section.GetBool("otp_suffix", false);
        return new JazzSettings(url, authUrl, probePath, caFile, timeout, allowInsecure, otpSuffix);
    }

    private static Uri ReadRoot(IniSection section, string option, string value, bool allowInsecure)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw section.Error(option, $"'{value}' is not an https:// URL");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !allowInsecure)
        {
            throw section.Error(option, $"'{value}' is plain http://, which would send passwords unencrypted; use https:// (or set allow_insecure = yes, for tests only)");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw section.Error(option, $"'{value}' must be a context root without query or fragment");
        }

        return uri;
    }
}
