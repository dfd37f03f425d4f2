using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;
using Moq;

namespace MfaHost.Tests.Hardening;

/// <summary>Issue 13: shutdown answers what is in flight <c>shutting_down</c> within the timeout; health tells of failed instances.</summary>
public class ShutdownAndHealthTests
{
    [Test]
    public async Task SIGTERM_with_parked_pushes_answers_them_shutting_down_within_shutdown_timeout_even_with_a_peer_that_reads_nothing()
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .Returns<AuthenticationRequest, CancellationToken>(async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return new AuthenticationOutcome(MfaVerdict.Accept(), "alice");
            });
        await using var host = await MockedPipelineHost.StartAsync(pipeline, "shutdown_timeout = 2");
        await using var gateway = await ByteConnection.ConnectAsync(host.SocketPath);
        await gateway.SendAsync(string.Concat(Enumerable.Range(0, 20).Select(i => MockedPipelineHost.AuthenticateLine(i, "s" + i) + "\n")));

        // A second peer fills its receive buffer and never reads: it must not hold the shutdown up.
        using var deaf = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await deaf.ConnectAsync(new UnixDomainSocketEndPoint(host.SocketPath));
        var flood = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("""{"jsonrpc":"2.0","id":1,"method":"health"}""" + "\n", 5000)));
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await deaf.SendAsync(flood);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        await using (var watcher = await host.CreateClientAsync())
        {
            using var give = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while ((await watcher.HealthAsync(give.Token)).InFlight < 20)
            {
                await Task.Delay(10, give.Token);
            }
        }

        await Task.Delay(300);

        var clock = Stopwatch.StartNew();
        await host.StopAsync();
        clock.Stop();

        var reasons = new List<string?>();
        for (var i = 0; i < 20; i++)
        {
            reasons.Add((await gateway.ReadAnswerAsync()).GetProperty("result").GetProperty("reason").GetString());
        }

        Assert.That(reasons, Has.All.EqualTo("shutting_down"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2 + 3)), "shutdown_timeout bounds the stop (with slack for a loaded machine)");
        Assert.That(File.Exists(host.SocketPath), Is.False, "the socket file is removed");
    }

    [Test]
    public async Task Health_is_degraded_and_names_an_instance_that_failed_to_load_and_the_others_are_still_served()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["good"] = TestPluginHost.Noop,
            ["broken"] = "[plugin]\ntype = throwing\n",
        });
        await using var client = await host.CreateClientAsync();

        var health = await client.HealthAsync();
        var served = await client.AuthenticateAsync(new() { Plugin = "good", SessionId = "s", Username = "alice" });
        var cli = await host.RunCliAsync(["health", "--socket", host.SocketPath]);

        Assert.That(health.Status, Is.EqualTo("degraded"));
        Assert.That(health.FailedPlugins, Is.EqualTo(new[] { "broken" }));
        Assert.That(served.Verdict, Is.EqualTo("ACCEPT"));
        Assert.That(cli.Output, Does.Contain("status: degraded").And.Contain("failed_plugins: broken"));
        Assert.That(cli.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public async Task Health_is_ok_when_every_configured_instance_loaded()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string> { ["good"] = TestPluginHost.Noop });
        await using var client = await host.CreateClientAsync();

        var health = await client.HealthAsync();

        Assert.That(health.Status, Is.EqualTo("ok"));
        Assert.That(health.FailedPlugins, Is.Empty);
    }
}
