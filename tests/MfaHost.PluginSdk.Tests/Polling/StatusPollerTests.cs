using Microsoft.Extensions.Time.Testing;

namespace MfaHost.PluginSdk.Tests.Polling;

/// <summary>
/// <see cref="StatusPoller{TStatus}"/> on a fake clock, with the query as a recording function (the seam a
/// plugin fills with its HTTP call). The acme plugin's tests run it against a real server.
/// </summary>
public class StatusPollerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private FakeTimeProvider _time = null!;
    private List<(TimeSpan At, string[] Ids)> _queries = null!;
    private DateTimeOffset _start;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _queries = [];
        _start = _time.GetUtcNow();
    }

    private StatusPoller<int> Poller(Func<string, int> status, int maxBatch = 1) => new(
        new StatusPollerOptions { Interval = Interval, MaxBatch = maxBatch, TimeProvider = _time },
        (ids, _) =>
        {
            lock (_queries)
            {
                _queries.Add((_time.GetUtcNow() - _start, [.. ids]));
            }

            return Task.FromResult<IReadOnlyDictionary<string, int>>(ids.ToDictionary(id => id, status));
        },
        s => s != 0);

    private void AdvanceBy(TimeSpan span, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            _time.Advance(span / steps);
        }
    }

    [Test]
    public async Task Items_parked_together_are_first_asked_about_spread_over_the_second_half_of_the_interval()
    {
        await using var poller = Poller(_ => 0);
        var waits = Enumerable.Range(0, 200).Select(i => poller.WaitAsync($"tx{i}", TimeSpan.FromHours(1), CancellationToken.None)).ToList();
        AdvanceBy(Interval, 100);

        var first = _queries.GroupBy(q => q.Ids[0]).Select(g => g.Min(q => q.At)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(first, Has.Count.EqualTo(200));
            Assert.That(first, Is.All.InRange(Interval / 2, Interval));
            Assert.That(first.Distinct().Count(), Is.GreaterThan(10), "first queries spread, not fired together");
            Assert.That(poller.Waiting, Is.EqualTo(200));
            Assert.That(waits.Any(w => w.IsCompleted), Is.False);
        });
    }

    [Test]
    public async Task Without_a_final_status_the_wait_ends_with_null_after_a_last_query_at_the_timeout()
    {
        await using var poller = Poller(_ => 0);
        var wait = poller.WaitAsync("tx", Interval * 3.5, CancellationToken.None);
        AdvanceBy(Interval * 5, 50);

        Assert.Multiple(() =>
        {
            Assert.That(wait.IsCompletedSuccessfully && wait.Result is null, Is.True);
            Assert.That(_queries, Has.Count.EqualTo(4));
            Assert.That(_queries[^1].At, Is.EqualTo(Interval * 3.5));
            Assert.That(poller.Waiting, Is.Zero);
        });
    }

    [Test]
    public async Task A_final_status_ends_the_wait_with_it()
    {
        var asked = 0;
        await using var poller = Poller(_ => ++asked == 3 ? 7 : 0);
        var wait = poller.WaitAsync("tx", TimeSpan.FromHours(1), CancellationToken.None);
        AdvanceBy(Interval * 5, 50);
        Assert.That(await wait, Is.EqualTo(7));
        Assert.That(_queries, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Items_due_within_the_batch_window_share_a_query_and_a_cancelled_one_leaves_it()
    {
        await using var poller = Poller(_ => 0, maxBatch: 100);
        using var cancel = new CancellationTokenSource();
        var waits = Enumerable.Range(0, 20).Select(i => poller.WaitAsync($"tx{i}", TimeSpan.FromHours(1), i == 0 ? cancel.Token : CancellationToken.None)).ToList();
        AdvanceBy(Interval * 1.05, 105); // every first query (due by 1 interval) plus its batch window (200 ms)
        var firstRound = _queries.SelectMany(q => q.Ids).ToList();
        await cancel.CancelAsync();
        AdvanceBy(Interval * 3, 300);

        Assert.Multiple(() =>
        {
            Assert.That(firstRound, Is.EquivalentTo(Enumerable.Range(0, 20).Select(i => $"tx{i}")));
            Assert.That(_queries.Count, Is.LessThan(20 * 4), "queries were shared");
            Assert.That(_queries.Select(q => q.Ids.Length).Max(), Is.GreaterThan(1));
            Assert.That(_queries.Skip(1).Where(q => q.At > Interval * 1.05).SelectMany(q => q.Ids), Does.Not.Contain("tx0"));
            Assert.That(waits[0].IsCanceled, Is.True);
            Assert.That(poller.Waiting, Is.EqualTo(19));
        });
    }

    [Test]
    public async Task A_failed_query_ends_the_wait_of_every_item_it_asked_about_with_its_exception()
    {
        await using var poller = new StatusPoller<int>(
            new StatusPollerOptions { Interval = Interval, MaxBatch = 10, TimeProvider = _time },
            (_, _) => Task.FromException<IReadOnlyDictionary<string, int>>(new MfaServiceUnreachable("GET x: cannot connect")),
            s => s != 0);
        var waits = Enumerable.Range(0, 3).Select(i => poller.WaitAsync($"tx{i}", TimeSpan.FromHours(1), CancellationToken.None)).ToList();
        AdvanceBy(Interval * 2, 200);
        foreach (var wait in waits)
        {
            Assert.That(async () => await wait, Throws.InstanceOf<MfaServiceUnreachable>());
        }
    }

    [Test]
    public async Task An_item_the_answer_leaves_out_is_a_communication_error()
    {
        await using var poller = new StatusPoller<int>(
            new StatusPollerOptions { Interval = Interval, TimeProvider = _time },
            (_, _) => Task.FromResult<IReadOnlyDictionary<string, int>>(new Dictionary<string, int>()),
            s => s != 0);
        var wait = poller.WaitAsync("tx", TimeSpan.FromHours(1), CancellationToken.None);
        AdvanceBy(Interval * 2, 20);
        Assert.That(async () => await wait, Throws.InstanceOf<MfaCommunicationError>());
    }

    [Test]
    public async Task Disposing_ends_every_wait_as_cancelled()
    {
        var poller = Poller(_ => 0);
        var wait = poller.WaitAsync("tx", TimeSpan.FromHours(1), CancellationToken.None);
        await poller.DisposeAsync();
        AdvanceBy(Interval * 2, 20);
        Assert.That(async () => await wait, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(_queries, Is.Empty);
    }
}
