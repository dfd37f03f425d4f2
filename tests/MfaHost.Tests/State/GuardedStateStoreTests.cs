using MfaHost.PluginSdk;
using MfaHost.State;
using Microsoft.Data.Sqlite;
using Moq;

namespace MfaHost.Tests.State;

public class GuardedStateStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_store_that_reads_but_cannot_write_stays_unavailable_until_a_write_succeeds()
    {
        var inner = new Mock<IStateStore>();
        inner.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync("value");
        inner.Setup(s => s.SetAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<DateTimeOffset?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SqliteException("database or disk is full", 13));
        var store = new GuardedStateStore(inner.Object, new StateHealth(), "sqlite");

        var failure = Assert.ThrowsAsync<StateUnavailableException>(async () => await store.SetAsync("k", "v", null, default));
        Assert.That(failure!.Message, Does.Contain("disk is full"));
        Assert.That(await store.GetAsync("k", default), Is.EqualTo("value"));
        Assert.That(store.Health.Problem, Does.Contain("disk is full"), "a read does not prove the store can decide a login");
        Assert.ThrowsAsync<StateUnavailableException>(async () => await store.ProbeAsync(Now, default));
        Assert.That(store.Health.Problem, Is.Not.Null);

        inner.Setup(s => s.SetAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<DateTimeOffset?>(), It.IsAny<CancellationToken>()))
            .Returns(ValueTask.CompletedTask);
        await store.ProbeAsync(Now, default);
        Assert.That(store.Health.Problem, Is.Null);
        inner.Verify(s => s.SetAsync("#probe", It.IsAny<string>(), Now + TimeSpan.FromMinutes(1), It.IsAny<CancellationToken>()), Times.AtLeastOnce);
    }
}
