using MfaHost.Client;
using MfaHost.PluginSdk;
using MfaHost.Plugins.Totp.Tests.Otp;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Plugins.Totp.Tests.Socket;

/// <summary>
/// The totp plugin under the host's lock-out (<c>[lockout]</c>, defaults 5 failures in 300 s lock for 300 s): the
/// guarantees the plugin's own lock-out gave, now through the socket. Wrong and replayed codes count, a success clears
/// the count, the lock shows the time left and ends after <c>duration</c>, attempts during it never extend it, scratch
/// codes are refused during it, and parallel guesses get no more tries than sequential ones.
/// </summary>
public sealed partial class TotpSocketTests
{
    [Test]
    public async Task Five_wrong_codes_lock_out_with_the_time_left_and_the_lock_ends_after_its_duration()
    {
        var secret = await EnrollAsync("alice");
        await using var client = await _host.CreateClientAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await client.AuthenticateAsync(Otp("alice", "000000"))).Reason, Is.EqualTo(MfaReasons.AuthenticationFailed));
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        // Locked at the fifth failure (t = 40 s) until t = 340 s; now t = 50 s.
        var locked = await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())));
        Assert.That((locked.Verdict, locked.Reason), Is.EqualTo(("DENY", MfaReasons.LockedOut)));
        Assert.That(locked.Message, Does.Contain("290 s"));

        _time.Advance(TimeSpan.FromSeconds(289));
        Assert.That((await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())))).Reason, Is.EqualTo(MfaReasons.LockedOut), "still locked");
        _time.Advance(TimeSpan.FromSeconds(1));
        var released = await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())));
        Assert.That(released.Verdict, Is.EqualTo("ACCEPT"), released.ToString());
    }

    [Test]
    public async Task Attempts_during_a_lock_out_do_not_extend_it_and_scratch_codes_are_refused_too()
    {
        var enrolled = await _host.RunCliAsync(["totp", "enroll", "alice"]);
        var secret = SecretInUri().Match(enrolled.Output).Groups[1].Value;
        var scratch = ScratchCode().Match(enrolled.Output).Groups[1].Value;
        await using var client = await _host.CreateClientAsync();
        for (var i = 0; i < 5; i++)
        {
            await client.AuthenticateAsync(Otp("alice", "000000"));
        }

        Assert.That((await client.AuthenticateAsync(Otp("alice", scratch))).Reason, Is.EqualTo(MfaReasons.LockedOut));
        for (var i = 0; i < 30; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(9));
            Assert.That((await client.AuthenticateAsync(Otp("alice", "000000"))).Reason, Is.EqualTo(MfaReasons.LockedOut));
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())))).Verdict, Is.EqualTo("ACCEPT"));
        Assert.That((await _host.RunCliAsync(["totp", "list"])).Output, Does.Contain("10 of 10"), "the scratch code tried during the lock was not used up");
    }

    [Test]
    public async Task Concurrent_guesses_are_held_to_the_failure_limit()
    {
        await EnrollAsync("alice");
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _host.CreateClientAsync()));
        try
        {
            var verdicts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => clients[i % 4].AuthenticateAsync(Otp("alice", (100000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            Assert.That(verdicts.Count(v => v.Reason != MfaReasons.LockedOut), Is.EqualTo(5), string.Join("; ", verdicts.Select(v => v.Reason)));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Replayed_codes_count_and_a_success_clears_the_count()
    {
        var secret = await EnrollAsync("alice");
        await using var client = await _host.CreateClientAsync();
        var code = await Oathtool.TotpAsync(secret, _time.GetUtcNow());
        Assert.That((await client.AuthenticateAsync(Otp("alice", code))).Verdict, Is.EqualTo("ACCEPT"));
        for (var i = 0; i < 4; i++)
        {
            Assert.That((await client.AuthenticateAsync(Otp("alice", code))).Reason, Is.EqualTo(MfaReasons.Replayed));
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await client.AuthenticateAsync(Otp("alice", await Oathtool.TotpAsync(secret, _time.GetUtcNow())))).Verdict, Is.EqualTo("ACCEPT"));
        for (var i = 0; i < 4; i++)
        {
            Assert.That((await client.AuthenticateAsync(Otp("alice", "000000"))).Reason, Is.EqualTo(MfaReasons.AuthenticationFailed), "the count started over");
        }

        Assert.That((await client.AuthenticateAsync(Otp("alice", code))).Reason, Is.EqualTo(MfaReasons.Replayed), "the fifth failure");
        Assert.That((await client.AuthenticateAsync(Otp("alice", "000000"))).Reason, Is.EqualTo(MfaReasons.LockedOut));
    }

    [Test]
    public async Task The_limit_and_duration_come_from_the_instance_file()
    {
        await EnrollAsync("alice", StrictInstance);
        await using var client = await _host.CreateClientAsync();
        var strict = new[] { StrictOtp("000000"), StrictOtp("000000"), StrictOtp("000000") };
        var verdicts = new List<AuthenticateResult>();
        foreach (var attempt in strict)
        {
            verdicts.Add(await client.AuthenticateAsync(attempt));
        }

        Assert.That(verdicts.Select(v => v.Reason), Is.EqualTo(new[] { MfaReasons.AuthenticationFailed, MfaReasons.AuthenticationFailed, MfaReasons.LockedOut }));
        Assert.That(verdicts[2].Message, Does.Contain("60 s"));
    }

    [Test]
    public async Task The_plugins_own_old_lockout_options_still_load_and_are_reported_as_ignored()
    {
        await _host.DisposeAsync();
        _host = await RunningHost.StartAsync(
            PluginsDirectory,
            new Dictionary<string, string> { [Instance] = "[plugin]\ntype = totp\n[totp]\nmax_failures = 3\nfailure_window = 60\n" },
            $"data_dir = {_data.Path}",
            s => s.AddSingleton<TimeProvider>(_time));
        Assert.That(_host.Logs, Has.Some.Contains("[totp] max_failures is ignored").And.Some.Contains("[totp] failure_window is ignored"));
    }

    private static AuthenticateParams StrictOtp(string code) =>
        new() { Plugin = StrictInstance, SessionId = "s-" + Guid.NewGuid().ToString("N")[..8], Username = "alice", MfaPassword = code };
}
