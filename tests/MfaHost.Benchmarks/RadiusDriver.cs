using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

// RFC 2865 defines User-Password hiding and the Response Authenticator with MD5; a RADIUS client has no choice.
#pragma warning disable CA5351

namespace MfaHost.Benchmarks;

/// <summary>
/// A closed-loop RADIUS Access-Request driver (RFC 2865): one UDP socket per client, one request outstanding on each,
/// User-Name and a hidden User-Password carrying a valid TOTP code of a distinct user. Counts anything but an
/// Access-Accept with a correct Response Authenticator as an error.
/// </summary>
/// <remarks>
/// Not <c>radclient</c>: on the 2-core development machine <c>radclient</c> spends about twice FreeRADIUS's CPU per
/// request, so on shared cores it measures itself as much as <c>rlm_totp</c>; <c>totp-compare</c> still reports its
/// figure separately (<see cref="RadclientLoad"/>), and <c>radclient</c> checks the instance before the run
/// (<see cref="FreeRadiusTotp.CheckWithRadclientAsync"/>).
/// </remarks>
internal static class RadiusDriver
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs for <paramref name="duration"/>. A reject answered within a second of a 30-second step change is not counted
    /// (rlm_totp accepts only the current step); everything else that is not an accept is an error.
    /// </summary>
    public static async Task<DriverResult> RunAsync(
        IPEndPoint server, string sharedSecret, IReadOnlyList<RadiusUser> users, int clients, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var slices = Enumerable.Range(0, clients).Select(c => users.Where((_, i) => i % clients == c).ToArray()).ToArray();
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(slices.Select(slice => Task.Run(() => ClientAsync(server, Encoding.UTF8.GetBytes(sharedSecret), slice, deadline))));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        return new DriverResult(latencies.LongLength, results.Sum(r => r.Errors), elapsed, latencies);
    }

    private static async Task<(List<long> Latencies, long Errors)> ClientAsync(IPEndPoint server, byte[] secret, RadiusUser[] users, long deadline)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server);
        var latencies = new List<long>(1 << 16);
        long errors = 0;
        var request = new byte[4096];
        var answer = new byte[4096];
        var authenticator = new byte[16];
        byte id = 0;
        var next = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var user = users[next];
            next = (next + 1) % users.Length;
            var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / FreeRadiusTotp.Period;
            RandomNumberGenerator.Fill(authenticator);
            var length = AccessRequest(request, ++id, authenticator, user.Name, user.CodeAt(step), secret);
            var sent = Stopwatch.GetTimestamp();
            await socket.SendAsync(request.AsMemory(0, length), SocketFlags.None);
            using var timeout = new CancellationTokenSource(AnswerTimeout);
            int received;
            try
            {
                do
                {
                    received = await socket.ReceiveAsync(answer, SocketFlags.None, timeout.Token);
                }
                while (received < 20 || answer[1] != id);
            }
            catch (OperationCanceledException)
            {
                errors++;
                Report($"no answer within {AnswerTimeout.TotalSeconds} s for {user.Name}");
                continue;
            }

            var latency = Stopwatch.GetTimestamp() - sent;
            if (answer[0] == 3 && NearStepChange(step))
            {
                continue;
            }

            latencies.Add(latency);
            if (answer[0] != 2 || !ResponseAuthenticatorValid(answer.AsSpan(0, received), authenticator, secret))
            {
                errors++;
                Report($"answer code {answer[0]} for {user.Name}");
            }
        }

        return (latencies, errors);
    }

    // rlm_totp reads the clock when it handles the request; within a second of a step change (either side) a reject
    // may be the clocks of driver and server on two sides of it rather than a wrong code.
    private static bool NearStepChange(long sentStep)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return (now + 1) / FreeRadiusTotp.Period != sentStep || (now - 1) / FreeRadiusTotp.Period != sentStep;
    }

    private static int AccessRequest(byte[] packet, byte id, byte[] authenticator, string user, string code, byte[] secret)
    {
        packet[0] = 1;
        packet[1] = id;
        authenticator.CopyTo(packet, 4);
        var at = 20;
        var name = Encoding.UTF8.GetBytes(user);
        packet[at] = 1;
        packet[at + 1] = (byte)(name.Length + 2);
        name.CopyTo(packet, at + 2);
        at += name.Length + 2;

        // User-Password (RFC 2865 5.2): the code padded to 16 bytes, XORed with MD5(secret + Request Authenticator).
        Span<byte> plain = stackalloc byte[16];
        plain.Clear();
        Encoding.ASCII.GetBytes(code, plain);
        Span<byte> keyed = stackalloc byte[secret.Length + 16];
        secret.CopyTo(keyed);
        authenticator.CopyTo(keyed[secret.Length..]);
        Span<byte> mask = stackalloc byte[16];
        MD5.HashData(keyed, mask);
        packet[at] = 2;
        packet[at + 1] = 18;
        for (var i = 0; i < 16; i++)
        {
            packet[at + 2 + i] = (byte)(plain[i] ^ mask[i]);
        }

        at += 18;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)at);
        return at;
    }

    private static bool ResponseAuthenticatorValid(ReadOnlySpan<byte> answer, byte[] requestAuthenticator, byte[] secret)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(answer[2..]);
        if (length > answer.Length || length < 20)
        {
            return false;
        }

        var input = new byte[length + secret.Length];
        answer[..4].CopyTo(input);
        requestAuthenticator.CopyTo(input, 4);
        answer[20..length].CopyTo(input.AsSpan(20));
        secret.CopyTo(input, length);
        return MD5.HashData(input).AsSpan().SequenceEqual(answer[4..20]);
    }

    private static int _reported;

    private static void Report(string what)
    {
        if (Interlocked.Increment(ref _reported) <= 5)
        {
            Console.Error.WriteLine($"radius: {what}");
        }
    }
}

/// <summary>A benchmark user for the RADIUS driver; its code is computed once per 30-second step.</summary>
internal sealed class RadiusUser(string name, Func<long, string> codeAtStep)
{
    private long _step = long.MinValue;
    private string _code = "";

    public string Name { get; } = name;

    public string CodeAt(long step)
    {
        if (step != _step)
        {
            _code = codeAtStep(step);
            _step = step;
        }

        return _code;
    }
}
