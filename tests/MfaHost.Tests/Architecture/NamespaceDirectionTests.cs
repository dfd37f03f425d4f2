namespace MfaHost.Tests.Architecture;

/// <summary>
/// The host's rooms (the namespaces under <c>MfaHost</c>) depend in one direction only:
/// <c>Cli → Hosting → Protocol → Reload → Audit → Metrics → Administration → Tickets → Limits → Access → Pipeline → Resilience → Plugins → Isolation → State → Configuration → Rpc → Systemd → Logging → Unix → Vocabulary</c>.
/// A room may use any room to its right, never one to its left; a new room must be placed in <see cref="Direction"/>.
/// </summary>
public sealed class NamespaceDirectionTests
{
    /// <summary>Top to bottom. Keep in step with the README's tour.</summary>
    internal static readonly string[] Direction =
    [
        "Cli", "Hosting", "Protocol", "Reload", "Audit", "Metrics", "Administration", "Tickets", "Limits", "Access", "Pipeline",
        "Resilience", "Plugins", "Isolation", "State", "Configuration", "Rpc", "Systemd", "Logging", "Unix", "Vocabulary",
    ];

    /// <summary>Every use that breaks <paramref name="direction"/>, as a readable line.</summary>
    internal static List<string> WrongArrows(IReadOnlyDictionary<(string From, string To), string> edges, IReadOnlyList<string> direction)
    {
        var wrong = new List<string>();
        foreach (var ((from, to), example) in edges.OrderBy(e => e.Key))
        {
            var fromRank = IndexOf(direction, from);
            var toRank = IndexOf(direction, to);
            if (fromRank < 0 || toRank < 0)
            {
                wrong.Add($"{(fromRank < 0 ? from : to)} is in no place of the direction: add it ({example})");
            }
            else if (fromRank > toRank)
            {
                wrong.Add($"{from} → {to} points up ({example})");
            }
        }

        return wrong;
    }

    [Test]
    public void The_host_assembly_keeps_the_direction()
    {
        var edges = NamespaceGraph.Edges(typeof(MfaHost.Hosting.HostComposition).Assembly, "MfaHost");

        Assert.That(WrongArrows(edges, Direction), Is.Empty);
    }

    [Test]
    public void The_graph_sees_uses_in_signatures_and_in_method_bodies()
    {
        var edges = NamespaceGraph.Edges(typeof(MfaHost.Hosting.HostComposition).Assembly, "MfaHost");

        Assert.Multiple(() =>
        {
            Assert.That(edges.Keys, Does.Contain(("Protocol", "Pipeline")), "a constructor parameter (AuthenticateMethod takes the pipeline)");
            Assert.That(edges.Keys, Does.Contain(("Cli", "Hosting")), "a call in a method body (the CLI builds the host)");
            Assert.That(edges.Count, Is.GreaterThan(30));
        });
    }

    [Test]
    public void An_arrow_pointing_up_fails()
    {
        var edges = new Dictionary<(string, string), string>
        {
            [("Cli", "Configuration")] = "fine",
            [("Configuration", "Cli")] = "HostSettings uses RunCommand",
        };

        Assert.That(WrongArrows(edges, Direction), Is.EqualTo(new[] { "Configuration → Cli points up (HostSettings uses RunCommand)" }));
    }

    [Test]
    public void A_room_with_no_place_fails()
    {
        var edges = new Dictionary<(string, string), string> { [("Sandbox", "Plugins")] = "Jail uses PluginInstance" };

        Assert.That(WrongArrows(edges, Direction), Has.One.Contains("Sandbox is in no place"));
    }

    [Test]
    public void A_compiled_wrong_arrow_is_found()
    {
        // Probe.Bottom's method body (not its signature) creates a Probe.Top: the graph must see it, and the check refuse it.
        var edges = NamespaceGraph.Edges(typeof(Probe.Bottom.BottomThing).Assembly, "MfaHost.Tests.Architecture.Probe");

        Assert.Multiple(() =>
        {
            Assert.That(edges.Keys, Is.EquivalentTo(new[] { ("Bottom", "Top") }));
            Assert.That(WrongArrows(edges, ["Top", "Bottom"]), Is.EqualTo(new[] { "Bottom → Top points up (MfaHost.Tests.Architecture.Probe.Bottom.BottomThing uses MfaHost.Tests.Architecture.Probe.Top.TopThing)" }));
            Assert.That(WrongArrows(edges, ["Bottom", "Top"]), Is.Empty, "the same use is fine when Bottom is placed above Top");
        });
    }

    private static int IndexOf(IReadOnlyList<string> direction, string room)
    {
        for (var i = 0; i < direction.Count; i++)
        {
            if (direction[i] == room)
            {
                return i;
            }
        }

        return -1;
    }
}
