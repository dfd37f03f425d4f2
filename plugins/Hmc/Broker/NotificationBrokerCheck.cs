using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using MfaHost.Plugins.Hmc.Logging;
using MfaHost.Plugins.Hmc.Stomp;
using MfaHost.PluginSdk;
using Microsoft.Extensions.Logging;

namespace MfaHost.Plugins.Hmc.Broker;

/// <summary>
/// Proves that the HMC's notification broker (STOMP over TLS) accepts a login: connect, CONNECT,
/// CONNECTED, DISCONNECT with receipt, close, all within the request timeout. TLS is verified with the
/// SDK's options (the configured CA bundle, or the system store).
/// </summary>
internal sealed class NotificationBrokerCheck(IPluginHttpClientFactory tlsFactory, string? caFile, TimeSpan timeout, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Null when the broker accepted the login; otherwise why not, for the operator and the verdict (no secret in it).</summary>
    /// <param name="host">The broker host (the HMC's); the certificate must match it.</param>
    /// <param name="port">The broker port.</param>
    /// <param name="userid">The HMC user, for messages.</param>
    /// <param name="login">The STOMP login (the api-session).</param>
    /// <param name="passcode">The STOMP passcode (the session credential). A secret.</param>
    /// <param name="cancellationToken">The request's token.</param>
    public async Task<string?> CheckAsync(string host, int port, string userid, string login, string passcode, CancellationToken cancellationToken)
    {
        var broker = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        using var deadline = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, token);
            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await using var stomp = new StompConnection(ssl);
            await ssl.AuthenticateAsClientAsync(tlsFactory.CreateSslOptions(host, caFile), token);
            StompFrame connected;
            try
            {
                connected = await stomp.ConnectAsync(host, login, passcode, token);
            }
            catch (StompErrorException e)
            {
                return $"the HMC notification broker {broker} refused the session credential of {userid}: ERROR '{Redact(e.Message, login, passcode)}'";
            }

            HmcLog.BrokerVerified(logger, broker, userid, connected["version"]);
            try
            {
                if (!await stomp.DisconnectAsync(Guid.NewGuid().ToString("N"), token))
                {
                    HmcLog.BrokerDisconnectProblem(logger, broker, userid, "the broker closed the connection without a RECEIPT for DISCONNECT");
                }
            }
            catch (Exception e) when ((e is StompErrorException or StompProtocolException or IOException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                // CONNECTED proved the credential works; how the check session ends does not change that.
                HmcLog.BrokerDisconnectProblem(logger, broker, userid, Redact(e.Message, login, passcode));
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the HMC notification broker {broker} did not answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (request_timeout)";
        }
        catch (SocketException e)
        {
            return $"cannot connect to the HMC notification broker {broker} (broker_port): {e.Message}";
        }
        catch (AuthenticationException e)
        {
            return $"TLS handshake with the HMC notification broker {broker} failed (is ca_file the CA that issued its certificate?): {e.Message}";
        }
        catch (StompProtocolException e)
        {
            return $"the HMC notification broker {broker} does not speak STOMP 1.2 as expected: {e.Message}";
        }
        catch (IOException e)
        {
            return $"the connection to the HMC notification broker {broker} failed: {e.Message}";
        }
    }

    // A broker could echo what it was sent; nothing secret leaves this class.
    private static string Redact(string text, string login, string passcode)
    {
        foreach (var secret in new[] { passcode, login })
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
