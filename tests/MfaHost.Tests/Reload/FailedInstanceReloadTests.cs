using MfaHost.Plugins;
using MfaHost.Reload;
using MfaHost.Tests.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tests.Reload;

/// <summary>
/// A reload tries again an instance whose constructor failed (the state store was down at start, say): the same
/// instance file is not "unchanged" while it is not loaded. Failing again it is kept as it was and does not refuse the reload.
/// </summary>
public class FailedInstanceReloadTests
{
    [Test]
    public async Task An_instance_whose_constructor_fails_again_is_kept_and_the_reload_still_applies()
    {
        await using var host = await TestPluginHost.StartAsync(new Dictionary<string, string>
        {
            ["broken"] = "[plugin]\ntype = throwing\n",
            ["noop"] = TestPluginHost.Noop,
        });
        var before = host.Services.GetRequiredService<ActiveCatalog>().Current;

        var result = await host.Services.GetRequiredService<ConfigurationReloader>().ReloadAsync("test", CancellationToken.None);

        var after = host.Services.GetRequiredService<ActiveCatalog>().Current;
        PluginInstance? broken = null;
        Assert.Multiple(() =>
        {
            Assert.That(result.Applied, Is.True, string.Join("\n", result.Problems));
            Assert.That(result.Unchanged, Does.Contain("broken").And.Contain("noop"));
            Assert.That(result.Changed, Is.Empty);
            Assert.That(after.TryGet("broken", out broken) && !broken.IsLoaded && before.TryGet("broken", out var old) && ReferenceEquals(old, broken), Is.True, "kept as it was");
            Assert.That(broken!.Error, Does.Contain("the service address could not be computed"));
        });
    }
}
