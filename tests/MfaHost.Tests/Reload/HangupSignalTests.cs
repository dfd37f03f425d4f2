using MfaHost.Hosting;

namespace MfaHost.Tests.Reload;

/// <summary>A SIGHUP is never lost: one that comes while the host starts reloads once it serves; later ones reload at once.</summary>
public class HangupSignalTests
{
    [Test]
    public void Sighups_before_the_host_serves_reload_once_when_it_does_and_later_ones_at_once()
    {
        using var hangup = new HangupSignal();
        var reloads = new List<string>();

        hangup.Raise();
        hangup.Raise();
        Assert.That(reloads, Is.Empty, "nothing to reload before the host serves");

        hangup.Attach(reloads.Add);
        Assert.That(reloads, Is.EqualTo(new[] { "SIGHUP while starting" }), "the early SIGHUPs were kept, and reload once");

        hangup.Raise();
        Assert.That(reloads, Is.EqualTo(new[] { "SIGHUP while starting", "SIGHUP" }));
    }

    [Test]
    public void Without_an_early_sighup_attaching_reloads_nothing()
    {
        using var hangup = new HangupSignal();
        var reloads = new List<string>();
        hangup.Attach(reloads.Add);
        Assert.That(reloads, Is.Empty);
    }
}
