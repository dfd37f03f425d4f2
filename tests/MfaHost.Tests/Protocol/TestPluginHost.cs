using MfaHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MfaHost.Tests.Protocol;

/// <summary>A real host with the real pipeline and the test plugins (noop, test) laid out by this build.</summary>
internal static class TestPluginHost
{
    public static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    public static Task<RunningHost> StartAsync(IReadOnlyDictionary<string, string> instances, string? hostConfiguration = null, FakeTimeProvider? time = null) =>
        RunningHost.StartAsync(PluginsDirectory, instances, hostConfiguration, time is null ? null : s => s.AddSingleton<TimeProvider>(time));

    public static string Scripted(string testSection) => "[plugin]\ntype = test\n[test]\n" + testSection + "\n";

    public const string Noop = "[plugin]\ntype = noop\n";
}
