using MfaHost.Client;
using MfaHost.Reload;
using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MfaHost.Tests.Reload;

/// <summary>
/// A running host over a plugins folder of its own (the reloadable test plugin, build 1, in
/// <c>plugins/reloadable</c>) whose files, instance files and host file the tests change between reloads.
/// </summary>
internal sealed class ReloadHarness : IAsyncDisposable
{
    private readonly TempDirectory _plugins = new();

    private ReloadHarness(RunningHost host, TempDirectory plugins)
    {
        Host = host;
        _plugins = plugins;
    }

    public RunningHost Host { get; }

    public string PluginFolder => _plugins.Combine("reloadable");

    public ConfigurationReloader Reloader => Host.Services.GetRequiredService<ConfigurationReloader>();

    public static async Task<ReloadHarness> StartAsync(IReadOnlyDictionary<string, string> labels, string hostConfiguration = "drain_timeout = 2")
    {
        var plugins = new TempDirectory();
        CopyBuild(1, plugins.Combine("reloadable"));
        var instances = labels.ToDictionary(p => p.Key, p => Instance(p.Value));
        var host = await RunningHost.StartAsync(plugins.Path, instances, hostConfiguration);
        return new ReloadHarness(host, plugins);
    }

    public static string Instance(string label, double pushDelay = 0) =>
        $"[plugin]\ntype = reloadable\n[reloadable]\nlabel = {label}\npush_delay = {pushDelay.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n";

    public string InstanceFile(string name) => Path.Combine(Host.Directory, "config", "plugins", name + ".ini");

    public void WriteInstance(string name, string ini) => File.WriteAllText(InstanceFile(name), ini);

    public void RemoveInstance(string name) => File.Delete(InstanceFile(name));

    /// <summary>Copies build <paramref name="build"/> over the loaded folder file by file, as <c>cp new/* plugins/reloadable/</c> does.</summary>
    public void ReplaceBuild(int build) => CopyBuild(build, PluginFolder);

    public Task<ReloadResult> ReloadAsync() => Reloader.ReloadAsync("test", CancellationToken.None);

    public static AuthenticateParams Otp(string instance, string session, string code = "123456") =>
        new() { Plugin = instance, SessionId = session, Username = "alice", MfaPassword = code, Protocol = "web" };

    public static AuthenticateParams Push(string instance, string session) =>
        new() { Plugin = instance, SessionId = session, Username = "alice", Protocol = "web" };

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _plugins.Dispose();
    }

    /// <summary>Copies build <paramref name="build"/> of the reloadable test plugin into <paramref name="target"/>, file by file.</summary>
    public static void CopyBuild(int build, string target)
    {
        var source = Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins", "reloadable-v" + build);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }
}
