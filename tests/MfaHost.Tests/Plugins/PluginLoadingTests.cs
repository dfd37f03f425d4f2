using System.Runtime.CompilerServices;
using MfaHost.Configuration;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MfaHost.Tests.Plugins;

public class PluginLoadingTests
{
    private TempDirectory _temp = null!;
    private HostSettings _settings = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        var source = Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");
        foreach (var folder in Directory.GetDirectories(source))
        {
            CopyFolder(folder, _temp.Combine("plugins", Path.GetFileName(folder)));
        }

        _temp.Write("plugins/corrupt/corrupt.dll", "this is not a portable executable");
        foreach (var instance in new[] { "alpha", "beta", "throwing", "noclient", "nosdk", "future", "corrupt" })
        {
            _temp.Write($"config/plugins/{instance}.ini", "[plugin]\nenabled = yes\n");
        }

        _temp.Write("config/plugins/alpha2.ini", "[plugin]\ntype = alpha\n");
        _temp.Write("config/plugins/off.ini", "[plugin]\ntype = alpha\nenabled = no\n");
        _settings = new HostSettings
        {
            ConfigFile = _temp.Combine("config", "mfahost.ini"),
            ConfigDirectory = _temp.Combine("config"),
            SocketPath = _temp.Combine("mfahost.sock"),
            PluginsDirectory = _temp.Combine("plugins"),
            PluginConfigDirectory = _temp.Combine("config", "plugins"),
            DataDirectory = _temp.Combine("data"),
        };
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private PluginCatalog Build(List<MfaConfigurationException>? errors = null) =>
        new PluginCatalogBuilder(_settings, NullLoggerFactory.Instance, TimeProvider.System, new InMemoryStateStore(TimeProvider.System)).Build(errors ?? []);

    private static MfaRequest Request() => new() { Username = "u", MfaIdentity = "u", MfaPassword = "1", Session = new MfaSession("s") };

    [Test]
    public async Task Two_plugins_depending_on_different_versions_of_one_library_each_get_their_own()
    {
        await using var catalog = Build();
        Assert.That(catalog.TryGet("alpha", out var alpha) && catalog.TryGet("beta", out _), Is.True);
        catalog.TryGet("beta", out var beta);
        var fromAlpha = await alpha.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None);
        var fromBeta = await beta.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(fromAlpha.Message, Is.EqualTo("library 1"));
            Assert.That(fromBeta.Message, Is.EqualTo("library 2"));
            Assert.That(alpha.Version, Is.EqualTo("1.5.0"));
        });
    }

    [Test]
    public async Task The_sdk_type_is_shared_with_the_host()
    {
        await using var catalog = Build();
        catalog.TryGet("alpha", out var alpha);
        Assert.That(alpha.Client, Is.InstanceOf<MfaClient>());
        Assert.That(alpha.Client!.GetType().Assembly.GetReferencedAssemblies().Single(a => a.Name == "MfaHost.PluginSdk").Version, Is.Not.Null);
    }

    [TestCase("corrupt", "not a valid .NET assembly")]
    [TestCase("nosdk", "does not reference MfaHost.PluginSdk")]
    [TestCase("future", "built against MfaHost.PluginSdk 2.0.0, but this host provides 1.0.0")]
    [TestCase("noclient", "has no public MfaClient class")]
    [TestCase("throwing", "threw InvalidOperationException: the service address could not be computed")]
    public async Task A_broken_plugin_is_reported_with_name_folder_and_reason_and_the_others_still_serve(string name, string reason)
    {
        var errors = new List<MfaConfigurationException>();
        await using var catalog = Build(errors);
        Assert.That(catalog.TryGet(name, out var broken), Is.True, "the broken instance is listed");
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty, "a broken plugin is not a configuration error");
            Assert.That(broken.IsLoaded, Is.False);
            Assert.That(broken.Error, Does.Contain(reason));
            Assert.That(broken.Folder, Is.EqualTo(_temp.Combine("plugins", name)));
            Assert.That(catalog.Instances.Where(i => i.IsLoaded).Select(i => i.Name), Is.EquivalentTo(new[] { "alpha", "alpha2", "beta" }));
        });
        catalog.TryGet("alpha2", out var alpha2);
        var verdict = await alpha2.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None);
        Assert.That(verdict.IsAccept, Is.True);
    }

    [Test]
    public async Task A_plugin_loads_its_own_native_library_from_its_folder()
    {
        _temp.Write("config/plugins/native.ini", "[plugin]\ntype = native\n");
        await using var catalog = Build();
        catalog.TryGet("native", out var native);
        var verdict = await native.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None);
        Assert.That(verdict.Message, Does.StartWith("sqlite 3."));

        // The library mapped is the plugin's copy (shadow-copied out of its folder), not one next to the host.
        var mapped = File.ReadLines("/proc/self/maps").Where(l => l.Contains("libe_sqlite3", StringComparison.Ordinal))
            .Select(l => l[l.IndexOf('/')..]).Distinct().ToList();
        Assert.That(mapped, Has.Some.Not.StartWith(TestContext.CurrentContext.TestDirectory));
    }

    [Test]
    public async Task The_files_of_a_loaded_plugin_can_be_overwritten_while_it_serves()
    {
        _temp.Write("config/plugins/native.ini", "[plugin]\ntype = native\n");
        await using var catalog = Build();
        catalog.TryGet("alpha", out var alpha);
        catalog.TryGet("native", out var native);
        Assert.That((await alpha.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None)).Message, Is.EqualTo("library 1"));
        Assert.That((await native.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None)).Message, Does.StartWith("sqlite 3."));

        // What `cp new/* plugins/alpha/` does: rewrite every file in place.
        foreach (var file in Directory.GetFiles(_temp.Combine("plugins"), "*", SearchOption.AllDirectories))
        {
            await File.WriteAllTextAsync(file, "overwritten by a new build");
        }

        Assert.Multiple(async () =>
        {
            Assert.That((await alpha.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None)).Message, Is.EqualTo("library 1"));
            Assert.That((await native.Client!.ExecuteAuthenticateAsync(Request(), CancellationToken.None)).Message, Does.StartWith("sqlite 3."));
        });
    }

    [Test]
    public async Task A_disabled_instance_is_not_created()
    {
        await using var catalog = Build();
        Assert.That(catalog.TryGet("off", out _), Is.False);
    }

    [Test]
    public async Task An_instance_naming_an_unknown_type_fails_with_a_clear_reason()
    {
        _temp.Write("config/plugins/ghost.ini", "[plugin]\ntype = nonesuch\n");
        await using var catalog = Build();
        catalog.TryGet("ghost", out var ghost);
        Assert.That(ghost.Error, Does.Contain("provides type 'nonesuch'"));
    }

    [Test]
    public async Task A_syntax_error_in_an_instance_file_is_a_configuration_error_with_file_and_line()
    {
        _temp.Write("config/plugins/alpha.ini", "[plugin]\ntype = alpha\nthis line has no equals sign\n");
        var errors = new List<MfaConfigurationException>();
        await using var catalog = Build(errors);
        Assert.That(errors.Select(e => e.Message), Has.One.StartWith(_temp.Combine("config", "plugins", "alpha.ini") + ":3:"));
    }

    [Test]
    public void Plugin_contexts_unload_when_the_catalog_is_disposed()
    {
        var weak = LoadAndDispose();
        for (var i = 0; weak.IsAlive && i < 20; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.That(weak.IsAlive, Is.False, "the collectible load context was not collected");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference LoadAndDispose()
    {
        var package = PluginFolderLoader.Load(_temp.Combine("plugins", "alpha"));
        var weak = new WeakReference(package.LoadContext);
        package.LoadContext!.Unload();
        return weak;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
