using System.Net.Sockets;
using MfaHost.Hosting;
using MfaHost.Pipeline;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using Microsoft.Extensions.Time.Testing;
using Moq;
using MfaHost.Vocabulary;

namespace MfaHost.Tests.Protocol;

/// <summary>The socket file's life: creation, mode, stale files, a second host, and shutdown.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class GatewaySocketLifecycleTests
{
    private static Mock<IAuthenticationPipeline> Gated(TaskCompletionSource<AuthenticationOutcome> gate, bool honourCancellation = true)
    {
        var pipeline = new Mock<IAuthenticationPipeline>();
        pipeline.Setup(p => p.AuthenticateAsync(It.IsAny<AuthenticationRequest>(), It.IsAny<CancellationToken>()))
            .Returns<AuthenticationRequest, CancellationToken>((_, token) => honourCancellation ? gate.Task.WaitAsync(token) : gate.Task);
        return pipeline;
    }

    private static async Task WaitForInFlightAsync(RunningHost host, int count)
    {
        await using var client = await host.CreateClientAsync();
        while ((await client.HealthAsync()).InFlight != count)
        {
            await Task.Delay(5);
        }
    }

    [Test]
    public async Task The_socket_is_created_in_a_new_folder_with_the_default_mode_0660()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());

        Assert.That(File.GetUnixFileMode(host.SocketPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite));
    }

    [Test]
    public async Task The_socket_gets_the_configured_mode()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), "socket_mode = 0600");

        Assert.That(File.GetUnixFileMode(host.SocketPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task A_stale_socket_file_from_a_crashed_run_is_replaced()
    {
        using var folder = new TempDirectory();
        var path = folder.Combine("stale.sock");
        var elsewhere = folder.Combine("elsewhere.sock");
        using (var crashed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // A socket file nobody listens on any more, as a killed host leaves it.
            crashed.Bind(new UnixDomainSocketEndPoint(elsewhere));
            crashed.Listen();
            File.Move(elsewhere, path);
        }

        Assert.That(File.Exists(path), Is.True);

        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), $"socket = {path}");
        await using var client = await host.CreateClientAsync();

        Assert.That((await client.HealthAsync()).Status, Is.EqualTo("ok"));
        Assert.That(host.Logs, Has.Some.Contains("Replaced the stale socket file " + path));
    }

    [Test]
    public async Task A_second_host_on_a_live_socket_refuses_to_start_and_the_first_keeps_serving()
    {
        await using var first = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());

        var refusal = Assert.ThrowsAsync<HostStartupException>(() => MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), $"socket = {first.SocketPath}"));

        Assert.That(refusal!.Message, Does.Contain("another host is already listening on " + first.SocketPath));
        Assert.That(refusal.ExitCode, Is.EqualTo(2));
        await using var client = await first.CreateClientAsync();
        Assert.That((await client.HealthAsync()).Status, Is.EqualTo("ok"));
    }

    [Test]
    public async Task Running_the_cli_on_a_live_socket_exits_2_naming_the_socket()
    {
        await using var first = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var run = await first.RunCliAsync(["run", "--socket", first.SocketPath], cancellationToken: guard.Token);

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("already listening on " + first.SocketPath));
        Assert.That(File.Exists(first.SocketPath), Is.True, "the live host's socket is left alone");
    }

    [Test]
    public async Task Stopping_lets_requests_in_flight_finish_refuses_new_ones_and_removes_the_socket_file()
    {
        var gate = new TaskCompletionSource<AuthenticationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var time = new FakeTimeProvider();
        await using var host = await MockedPipelineHost.StartAsync(Gated(gate), "shutdown_timeout = 30", time);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);
        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(1, "s1"));
        await WaitForInFlightAsync(host, 1);

        var stopping = host.StopAsync();
        await host.LogCapture.WaitForAsync(l => l.Contains("[308]", StringComparison.Ordinal));
        var refused = await gateway.RequestAsync(MockedPipelineHost.AuthenticateLine(2, "s2"));
        gate.SetResult(new AuthenticationOutcome(MfaVerdict.Accept(), "alice"));
        var finished = await gateway.ReadMessageAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(refused.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32002));
            Assert.That(refused.GetProperty("error").GetProperty("data").GetProperty("reason").GetString(), Is.EqualTo("shutting_down"));
            Assert.That(finished.GetProperty("id").GetInt32(), Is.EqualTo(1));
            Assert.That(finished.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("ACCEPT"));
            Assert.That(File.Exists(host.SocketPath), Is.False);
        });
        Assert.That(await gateway.ReadLineAsync(), Is.Null, "the connection is closed");
        Assert.ThrowsAsync<IOException>(() => host.CreateClientAsync());
    }

    [Test]
    public async Task Stopping_cancels_requests_still_running_after_the_shutdown_timeout_and_answers_them_shutting_down()
    {
        var gate = new TaskCompletionSource<AuthenticationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var time = new FakeTimeProvider();
        await using var host = await MockedPipelineHost.StartAsync(Gated(gate, honourCancellation: false), "shutdown_timeout = 5", time);
        await using var gateway = await RawGatewayConnection.ConnectAsync(host.SocketPath);
        await gateway.SendLineAsync(MockedPipelineHost.AuthenticateLine(1, "s1"));
        await WaitForInFlightAsync(host, 1);

        var stopping = host.StopAsync();
        await host.LogCapture.WaitForAsync(l => l.Contains("[308]", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromSeconds(5));
        var cancelled = await gateway.ReadMessageAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(cancelled.GetProperty("result").GetProperty("verdict").GetString(), Is.EqualTo("DENY"));
            Assert.That(cancelled.GetProperty("result").GetProperty("reason").GetString(), Is.EqualTo("shutting_down"));
            Assert.That(host.Logs, Has.Some.Contains("[309]"));
            Assert.That(File.Exists(host.SocketPath), Is.False);
        });
    }
}
