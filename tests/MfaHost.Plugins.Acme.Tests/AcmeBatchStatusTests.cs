using MfaHost.Plugins.Acme.Tests.Support;
using MfaHost.Plugins.Acme.Tests.TestServer;
using MfaHost.PluginSdk;

namespace MfaHost.Plugins.Acme.Tests;

/// <summary>
/// <c>status_batch</c>: parked pushes that fall due together share one <c>POST /push/status</c> (the SDK's
/// StatusPoller). The fake clock is advanced exactly when the plugin waits (a push's timer, the batch window).
/// </summary>
public class AcmeBatchStatusTests : AcmeClientFixture<SteppingTimeProvider>
{
    private const int Pushes = 10;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private AcmeClient Client() =>
        AcmeInstance.Create(Temp, AcmeInstance.Ini(Server.BaseUrl, "poll_interval = 1\nrequest_timeout = 30\npush_timeout = 600\nstatus_batch = 50\n"), Time, Log);

    private List<AcmeRequestLogEntry> BatchesNaming(IEnumerable<string> txids) =>
        [.. Server.Requests.Where(r => r.Method == "POST" && r.Path == "/push/status" && txids.Any(t => r.Body.Contains($"\"{t}\"", StringComparison.Ordinal)))];

    // Every parked push starts one wait; once all have, one interval makes them all due and one window sends the batch.
    private async Task PollRoundAsync(int parked)
    {
        for (var i = 0; i < parked; i++)
        {
            await Time.WaitForWaitAsync().WaitAsync(Guard);
        }

        await DueAndFlushAsync();
    }

    private async Task DueAndFlushAsync()
    {
        Time.Advance(PollInterval);
        await Time.WaitForWaitAsync().WaitAsync(Guard);
        Time.Advance(BatchWindow);
    }

    [Test]
    public async Task Pushes_due_together_are_polled_with_one_batch_query_and_each_gets_its_verdict()
    {
        var users = Enumerable.Range(0, Pushes).Select(i => $"batch{i}-{Guid.NewGuid():N}"[..20]).ToList();
        for (var i = 0; i < users.Count; i++)
        {
            Server.SetUser(users[i], new AcmeUser { Push = i % 2 == 0 ? PushDecision.Approve : PushDecision.Deny, WaitingPolls = 1 });
        }

        await using var client = Client();
        var pushes = users.Select(u => client.ExecuteAuthenticateAsync(AcmeInstance.Request(u, session: u), CancellationToken.None)).ToList();
        await PollRoundAsync(Pushes);
        await PollRoundAsync(Pushes);
        var verdicts = await Task.WhenAll(pushes).WaitAsync(Guard);

        var txids = users.Select(u => Server.TransactionsOf(u).Single()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(verdicts.Select(v => v.Kind), Is.EqualTo(users.Select((_, i) => i % 2 == 0 ? MfaVerdictKind.Accept : MfaVerdictKind.Deny)), Log.AllText);
            Assert.That(BatchesNaming(txids), Has.Count.EqualTo(2));
            Assert.That(Server.Requests.Count(r => r.Method == "GET" && txids.Any(t => r.Path == "/push/" + t)), Is.Zero);
            Assert.That(txids.Select(Server.PollsOf), Is.All.EqualTo(2));
        });
    }

    [Test]
    public async Task A_cancelled_push_is_in_no_later_batch()
    {
        var users = Enumerable.Range(0, 2).Select(i => $"batchc{i}-{Guid.NewGuid():N}"[..20]).ToList();
        foreach (var user in users)
        {
            Server.SetUser(user, new AcmeUser { Push = PushDecision.Never });
        }

        await using var client = Client();
        using var gaveUp = new CancellationTokenSource();
        var cancelled = client.ExecuteAuthenticateAsync(AcmeInstance.Request(users[0], session: users[0]), gaveUp.Token);
        using var stop = new CancellationTokenSource();
        var other = client.ExecuteAuthenticateAsync(AcmeInstance.Request(users[1], session: users[1]), stop.Token);
        await PollRoundAsync(2);
        var txids = users.Select(u => Server.TransactionsOf(u).Single()).ToList();
        await Server.WaitForAsync(_ => BatchesNaming(txids).Count == 1).WaitAsync(Guard);
        await Time.WaitForWaitAsync().WaitAsync(Guard);
        await Time.WaitForWaitAsync().WaitAsync(Guard);

        await gaveUp.CancelAsync();
        Assert.That(async () => await cancelled.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
        await DueAndFlushAsync();
        await Server.WaitForAsync(_ => BatchesNaming(txids).Count == 2).WaitAsync(Guard);

        await stop.CancelAsync();
        Assert.That(async () => await other.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(Server.PollsOf(txids[0]), Is.EqualTo(1));
            Assert.That(Server.PollsOf(txids[1]), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_transaction_the_batch_answer_does_not_know_is_a_communication_error()
    {
        var user = $"batchu-{Guid.NewGuid():N}"[..20];
        Server.SetUser(user, new AcmeUser { Push = PushDecision.Never, OnPoll = AcmeFault.UnknownWord });
        await using var client = Client();
        var push = client.ExecuteAuthenticateAsync(AcmeInstance.Request(user, session: user), CancellationToken.None);
        await PollRoundAsync(1);
        var verdict = await push.WaitAsync(Guard);
        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.CommunicationError)), Log.AllText);
    }
}
