using MfaHost.Plugins.Jazz.Client;
using MfaHost.Plugins.Jazz.Logging;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Jazz;

/// <summary>
/// The <c>jazz</c> plugin: verifies the gateway user's password against an IBM Jazz (ELM) application by
/// logging in as a native Jazz client does (form, JAS or Basic) and fetching a protected resource.
/// Every request uses a fresh <see cref="JazzClient"/>, so no session of one user serves another.
/// </summary>
/// <remarks>Public because the host's loader instantiates exported plugin classes only.</remarks>
[MfaPlugin("jazz")]
[MfaPluginOptions(JazzSettings.SectionName, "url", "auth_url", "allow_insecure", "probe_path", "ca_file", "request_timeout", "otp_suffix")]
public sealed class JazzMfaClient : MfaClient
{
    private readonly JazzSettings _settings;

    /// <summary>Reads and validates <c>[jazz]</c>.</summary>
    /// <param name="context">What the host hands the instance.</param>
    /// <exception cref="MfaConfigurationException">An option of <c>[jazz]</c> is missing or wrong (for example an <c>http://</c> URL without <c>allow_insecure</c>).</exception>
    public JazzMfaClient(MfaPluginContext context)
        : base(context, "Jazz")
    {
        _settings = JazzSettings.Load(context.Configuration);
    }

    /// <summary>Password, and OTP when <c>otp_suffix</c> is on.</summary>
    public override MfaCapabilities Capabilities =>
        MfaCapabilities.Password | (_settings.OtpSuffix ? MfaCapabilities.Otp : MfaCapabilities.None);

    /// <summary>No one-time password: verifies the password alone (denied when <c>otp_suffix</c> requires one).</summary>
    /// <param name="request">The request; <see cref="MfaRequest.Password"/> is the Jazz password.</param>
    /// <param name="cancellationToken">Cancels the login.</param>
    protected override async ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken)
    {
        if (_settings.OtpSuffix)
        {
            return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "A one-time password is required: type it after the prompt (otp_suffix is on)");
        }

        return await VerifyAsync(request, request.Password, cancellationToken);
    }

    /// <summary>With a one-time password: appended to the password when <c>otp_suffix</c> is on, ignored otherwise.</summary>
    /// <param name="request">The request; <see cref="MfaRequest.Password"/> is the Jazz password.</param>
    /// <param name="otp">The one-time password. A secret.</param>
    /// <param name="cancellationToken">Cancels the login.</param>
    protected override async ValueTask<MfaResult> OtpAsync(MfaRequest request, string otp, CancellationToken cancellationToken)
    {
        // Without otp_suffix the one-time password plays no part in a Jazz login.
        var password = _settings.OtpSuffix && !string.IsNullOrEmpty(request.Password) ? request.Password + otp : request.Password;
        return await VerifyAsync(request, password, cancellationToken);
    }

    private async ValueTask<MfaResult> VerifyAsync(MfaRequest request, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(password))
        {
            JazzLog.NotVerified(Logger, _settings.Url, request.MfaIdentity, "no password in the request");
            return MfaVerdict.Deny(MfaReasons.AuthenticationFailed, "No password given: the Jazz plugin needs the user's password");
        }

        var options = new JazzClientOptions
        {
            Url = _settings.Url,
            AuthUrl = _settings.AuthUrl,
            Username = request.MfaIdentity,
            Password = password,
            AllowInsecure = _settings.AllowInsecure,
            CaFile = _settings.CaFile,
            RequestTimeout = _settings.RequestTimeout,
        };
        using var client = JazzClient.Create(Context.HttpClientFactory, options, Logger);
        try
        {
            var method = await client.VerifyCredentialsAsync(_settings.ProbePath, cancellationToken);
            JazzLog.Verified(Logger, _settings.Url, request.MfaIdentity, method);
            return MfaVerdict.Accept() with
            {
                Metadata = new Dictionary<string, string> { ["auth_method"] = MethodWord(method) },
            };
        }
        catch (JazzAuthenticationFailedException e)
        {
            throw new MfaAuthenticationFailure(e.Message, e);
        }
        catch (JazzException e)
        {
            // Kerberos, an unknown scheme, not a Jazz server, 5xx: the operator must look.
            throw new MfaCommunicationError(e.Message, e);
        }
    }

    private static string MethodWord(JazzAuthenticationMethod method) =>
        method switch
        {
            JazzAuthenticationMethod.Form => "form",
            JazzAuthenticationMethod.Jas => "jas",
            JazzAuthenticationMethod.Basic => "basic",
            _ => "none",
        };
}
