using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.Testing;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>
/// When the gateway gives up (the host cancels the request's token), polling stops at once. Asserted
/// with the server's request log, not with timing: after the cancellation at most one more poll arrives,
/// however far the clock is advanced.
/// </summary>
public class AcmeClientCancellationTests : AcmeClientFixture<SteppingTimeProvider>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private AcmeClient Client() =>
        AcmeInstance.Create(Temp, AcmeInstance.Ini(Server.BaseUrl, "poll_interval = 1\npush_timeout = 600\nrequest_timeout = 300\n"), Time, Log);

    [Test]
    public async Task Cancellation_while_waiting_between_polls_stops_polling_at_once()
    {
        var user = $"cancel-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { Push = PushDecision.Never });
        using var cts = new CancellationTokenSource();
        var push = Client().ExecuteAuthenticateAsync(AcmeInstance.Request(user), cts.Token);
        for (var i = 0; i < 3; i++)
        {
            await Time.WaitForWaitAsync().WaitAsync(Guard);
            Time.Advance(PollInterval);
        }

        await Time.WaitForWaitAsync().WaitAsync(Guard);
        var txid = Server.TransactionsOf(user).Single();
        var pollsAtCancel = Server.PollsOf(txid);
        await cts.CancelAsync();
        Assert.That(async () => await push.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());

        for (var i = 0; i < 10; i++)
        {
            Time.Advance(PollInterval);
        }

        Assert.Multiple(() =>
        {
            Assert.That(pollsAtCancel, Is.EqualTo(3));
            Assert.That(Server.PollsOf(txid) - pollsAtCancel, Is.LessThanOrEqualTo(1));
        });
    }

    [Test]
    public async Task Cancellation_during_a_poll_abandons_it_without_waiting_for_request_timeout()
    {
        var user = $"cancel-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { OnPoll = AcmeFault.Hang });
        using var cts = new CancellationTokenSource();
        var push = Client().ExecuteAuthenticateAsync(AcmeInstance.Request(user), cts.Token);
        await Time.WaitForWaitAsync().WaitAsync(Guard);
        Time.Advance(PollInterval);
        await Server.WaitForAsync(s => s.Count("GET", "/push/") > 0 && s.TransactionsOf(user).Count == 1 && s.PollsOf(s.TransactionsOf(user)[0]) == 1).WaitAsync(Guard);

        await cts.CancelAsync();

        // request_timeout is 300 s: only the token can end this within the guard.
        Assert.That(async () => await push.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
        for (var i = 0; i < 10; i++)
        {
            Time.Advance(PollInterval);
        }

        Assert.That(Server.PollsOf(Server.TransactionsOf(user)[0]), Is.EqualTo(1));
    }

    [Test]
    public async Task Cancellation_is_neither_a_verdict_nor_a_circuit_failure()
    {
        var user = $"cancel-{Guid.NewGuid():N}";
        Server.SetUser(user, new AcmeUser { Push = PushDecision.Never });
        var client = Client();
        for (var i = 0; i < 10; i++)
        {
            using var cts = new CancellationTokenSource();
            var push = client.ExecuteAuthenticateAsync(AcmeInstance.Request(user), cts.Token);
            await Time.WaitForWaitAsync().WaitAsync(Guard);
            await cts.CancelAsync();
            Assert.That(async () => await push.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
        }
    }
}
