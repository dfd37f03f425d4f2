using System.Text.Json;
using System.Text.Json.Nodes;
using MfaHost.Client;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;

namespace MfaHost.Tests.Client;

/// <summary>The .NET client against a real host.</summary>
public class MfaHostClientTests
{
    [Test]
    public async Task CallAsync_returns_the_result_of_any_method_and_maps_errors()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        await using var client = await host.CreateClientAsync();

        var health = await client.CallAsync("health", new JsonObject { ["ignored"] = 1 });
        var error = Assert.ThrowsAsync<MfaHostRpcException>(() => client.CallAsync("reboot"));

        Assert.That(health.GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(health.ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(error!.Code, Is.EqualTo(-32601));
        Assert.That(error.Reason, Is.EqualTo("unknown_method"));
    }

    [Test]
    public async Task Calls_waiting_when_the_host_closes_the_connection_fail_with_an_io_exception_naming_the_socket()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), "max_frame_bytes = 1024");
        await using var client = await host.CreateClientAsync();

        // A line over max_frame_bytes: the host answers with a null id (no call to match) and closes.
        var closed = Assert.ThrowsAsync<IOException>(() => client.CallAsync("health", new JsonObject { ["pad"] = new string('x', 2000) }));
        var afterwards = Assert.ThrowsAsync<IOException>(() => client.HealthAsync());

        Assert.That(closed!.Message, Does.Contain(host.SocketPath));
        Assert.That(afterwards!.Message, Does.Contain("closed"));
    }

    [Test]
    public void Connecting_where_nobody_listens_fails_with_an_io_exception_naming_the_socket()
    {
        using var folder = new TempDirectory();
        var path = folder.Combine("none.sock");

        var error = Assert.ThrowsAsync<IOException>(() => MfaHostClient.ConnectAsync(path));

        Assert.That(error!.Message, Does.Contain("cannot connect to MfaHost at " + path));
    }

    [Test]
    public void The_request_and_result_never_show_secrets_in_their_text()
    {
        var request = new AuthenticateParams { Plugin = "p", SessionId = "s", Username = "alice", MfaPassword = "123456", Password = "pw-secret", Answer = "ans-secret" };
        var result = new AuthenticateResult { Verdict = "ACCEPT", Reason = "accepted", SessionToken = "tok-secret", Metadata = new Dictionary<string, string> { ["k"] = "meta-secret" } };

        Assert.That(request.ToString() + result.ToString(), Does.Not.Contain("123456").And.Not.Contain("secret"));
    }
}
