using System.Collections;
using System.Diagnostics;
using System.IO.Compression;
using MfaHost.Testing;

namespace MfaHost.Kit.Tests;

/// <summary>
/// The author kit as an author uses it, without the source tree: the host is published once
/// (<c>dotnet publish host -c Release -o DIR</c>); from an empty folder the template is installed from
/// <c>DIR/sdk</c>, a plugin is created, its generated tests run, it is published for linux-x64 into
/// the published host, and a login through the host's socket is answered by it. Restores see only
/// <c>DIR/sdk</c> and the packages already on this machine (no network), in a package folder of their own.
/// </summary>
[NonParallelizable]
public class AuthorKitEndToEndTests
{
    private const string Code = "e2e-code-2718";
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(8);

    private TempDirectory _temp = null!;
    private string _published = null!;
    private ProcessRunner _author = null!;

    private string SdkFolder => Path.Combine(_published, "sdk");

    [OneTimeSetUp]
    public async Task PublishTheHost()
    {
        _temp = new TempDirectory();
        _published = _temp.Combine("published");
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        _author = new ProcessRunner(AuthorEnvironment(_temp));

        // The repository's own build (its NuGet settings, its package folder): as the operator publishes.
        var (exit, output) = await new ProcessRunner(AuthorEnvironment(null)).RunAsync(RepositoryLayout.Root, Slow, "dotnet", "publish", "host", "-c", "Release", "-o", _published);
        Assert.That(exit, Is.Zero, output);

        // The author's package sources: the kit, and the packages this machine already has (a folder feed).
        _temp.Write("author/nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="mfahost-sdk" value="{SdkFolder}" />
                <add key="machine" value="{machinePackages}" />
              </packageSources>
            </configuration>
            """);
    }

    [OneTimeTearDown]
    public void RemoveTheFolders() => _temp.Dispose();

    [Test]
    public void The_publish_output_ships_the_sdk_the_test_kit_and_the_templates_with_docs_and_symbols()
    {
        var files = Directory.GetFiles(SdkFolder).Select(Path.GetFileName).ToList();
        Assert.That(files, Is.SupersetOf(new[]
        {
            "MfaHost.PluginSdk.1.0.0.nupkg", "MfaHost.PluginSdk.1.0.0.snupkg",
            "MfaHost.PluginSdk.Testing.1.0.0.nupkg", "MfaHost.PluginSdk.Testing.1.0.0.snupkg",
            "MfaHost.Templates.1.0.0.nupkg",
        }));
        using var sdk = ZipFile.OpenRead(Path.Combine(SdkFolder, "MfaHost.PluginSdk.1.0.0.nupkg"));
        Assert.That(sdk.Entries.Select(e => e.FullName), Is.SupersetOf(new[] { "lib/net10.0/MfaHost.PluginSdk.dll", "lib/net10.0/MfaHost.PluginSdk.xml", "README.md" }));
    }

    [Test]
    public async Task From_an_empty_folder_the_template_gives_a_tested_plugin_that_answers_through_the_socket()
    {
        var author = _temp.Combine("author");
        await Expect(0, author, "dotnet", "new", "install", Path.Combine(SdkFolder, "MfaHost.Templates.1.0.0.nupkg"));
        await Expect(0, author, "dotnet", "new", "mfahost-plugin", "-n", "Hello", "--no-update-check");
        Assert.That(Path.Combine(author, "Hello", "Hello", "hello.ini"), Does.Exist);
        foreach (var generated in Directory.EnumerateFiles(Path.Combine(author, "Hello"), "*", SearchOption.AllDirectories))
        {
            Assert.That(File.ReadAllText(generated), Does.Not.Contain("myplugin").IgnoreCase, $"{generated} still names the template's placeholder");
        }

        Assert.That(File.ReadAllText(Path.Combine(author, "Hello", "Hello", "hello.ini")), Does.Contain("MFAHOST_HELLO_HELLO_CODE"));

        var tests = await Expect(0, author, "dotnet", "test", "Hello/Hello.Tests");
        Assert.That(tests, Does.Contain("Passed!").And.Contain("Failed:     0"));

        var pluginFolder = Path.Combine(_published, "plugins", "hello");
        await Expect(0, author, "dotnet", "publish", "Hello/Hello", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", pluginFolder);
        Assert.That(Path.Combine(pluginFolder, "Hello.dll"), Does.Exist);
        Assert.That(Path.Combine(pluginFolder, "MfaHost.PluginSdk.dll"), Does.Not.Exist, "the host provides the SDK");
        File.Copy(Path.Combine(author, "Hello", "Hello", "hello.ini"), Path.Combine(_published, "config", "plugins", "hello.ini"));

        var operatorEnvironment = new Dictionary<string, string?>(AuthorEnvironment(null)) { ["MFAHOST_HELLO_HELLO_CODE"] = Code };
        using var host = new ProcessRunner(operatorEnvironment).Start(_published, "dotnet", [Path.Combine(_published, "mfahost.dll")], out var hostOutput);
        try
        {
            await WaitForSocketAsync(Path.Combine(_published, "config", "run", "mfahost.sock"), host, hostOutput);
            var accepted = await Expect(0, _published, "dotnet", "mfahost.dll", "auth", "--plugin", "hello", "--user", "alice", "--otp", Code);
            var denied = await Expect(1, _published, "dotnet", "mfahost.dll", "auth", "--plugin", "hello", "--user", "alice", "--otp", "wrong-1234");
            Assert.That(accepted, Does.Contain("ACCEPT"));
            Assert.That(denied, Does.Contain("DENY"));
        }
        finally
        {
            Process.Start("kill", ["-TERM", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!host.WaitForExit(30_000))
            {
                host.Kill(entireProcessTree: true);
            }

            TestContext.Out.WriteLine(hostOutput.ToString());
        }

        Assert.That(hostOutput.ToString(), Does.Not.Contain(Code).And.Not.Contain("wrong-1234"));
    }

    private async Task<string> Expect(int exitCode, string directory, string file, params string[] arguments)
    {
        var (exit, output) = await _author.RunAsync(directory, Slow, file, arguments);
        Assert.That(exit, Is.EqualTo(exitCode), $"{file} {string.Join(' ', arguments)}:\n{output}");
        return output;
    }

    private static async Task WaitForSocketAsync(string socket, Process host, System.Text.StringBuilder output)
    {
        var waited = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            if (host.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"the published host did not open {socket}:\n{output}");
            }

            await Task.Delay(200);
        }
    }

    // The author's tools see none of the test runner's MSBuild settings; with a home, they get their
    // own template registry and package folder.
    private static Dictionary<string, string?> AuthorEnvironment(TempDirectory? home)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1",
            ["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false",
        };
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) ||
                name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MFAHOST_", StringComparison.Ordinal))
            {
                environment[name] = null;
            }
        }

        if (home is not null)
        {
            environment["DOTNET_CLI_HOME"] = home.Combine("home");
            environment["NUGET_PACKAGES"] = home.Combine("packages");
        }

        return environment;
    }
}
