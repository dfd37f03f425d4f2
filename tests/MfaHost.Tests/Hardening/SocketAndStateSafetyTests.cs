using System.Net.Sockets;
using System.Runtime.InteropServices;
using MfaHost.Client;
using MfaHost.Hosting;
using MfaHost.PluginSdk;
using MfaHost.Testing;
using MfaHost.Tests.Protocol;
using MfaHost.Configuration;
using MfaHost.Vocabulary;

namespace MfaHost.Tests.Hardening;

/// <summary>
/// Issue 13, "the socket and state are safe by construction": a socket folder another user could write, anything but a
/// stale socket at the socket path, state files others could read, a credentials file another user owns, and a gateway
/// that checks who listens.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class SocketAndStateSafetyTests
{
    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode0777 = (UnixFileMode)0b111_111_111;

    private static void RequireRoot()
    {
        if (geteuid() != 0)
        {
            Assert.Ignore("changing a file's owner needs root (CI runs the suite as root)");
        }
    }

    [Test]
    public void A_socket_folder_writable_by_every_user_stops_the_host_and_says_why()
    {
        using var folder = new TempDirectory();
        var open = folder.Combine("shared");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, Mode0777);

        var refusal = Assert.ThrowsAsync<HostStartupException>(() => MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), $"socket = {open}/mfahost.sock"));

        Assert.That(refusal!.Message, Does.Contain(open).And.Contain("writable by every user").And.Contain("replace the socket"));
        Assert.That(File.Exists(Path.Combine(open, "mfahost.sock")), Is.False);
    }

    [Test]
    public async Task A_sticky_folder_writable_by_every_user_but_owned_by_the_hosts_user_is_accepted()
    {
        using var folder = new TempDirectory();
        var sticky = folder.Combine("tmp");
        Directory.CreateDirectory(sticky);
        File.SetUnixFileMode(sticky, Mode0777 | UnixFileMode.StickyBit);

        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), $"socket = {sticky}/mfahost.sock");
        await using var client = await host.CreateClientAsync();

        Assert.That((await client.HealthAsync()).Status, Is.EqualTo("ok"));
    }

    [Test]
    public void A_socket_folder_writable_by_another_group_or_owned_by_another_user_stops_the_host()
    {
        RequireRoot();
        using var folder = new TempDirectory();
        var grouped = folder.Combine("grouped");
        Directory.CreateDirectory(grouped);
        File.SetUnixFileMode(grouped, Mode0755 | UnixFileMode.GroupWrite);
        Assert.That(chown(grouped, 0, 65534), Is.Zero);
        var foreign = folder.Combine("foreign");
        Directory.CreateDirectory(foreign);
        Assert.That(chown(foreign, 65534, 65534), Is.Zero);

        var byGroup = Assert.ThrowsAsync<HostStartupException>(() => MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), $"socket = {grouped}/mfahost.sock"));
        var byOwner = Assert.ThrowsAsync<HostStartupException>(() => MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), $"socket = {foreign}/sub/mfahost.sock"));

        Assert.That(byGroup!.Message, Does.Contain("writable by group 65534"));
        Assert.That(byOwner!.Message, Does.Contain("owned by uid 65534"));
    }

    [TestCase("file")]
    [TestCase("link")]
    public void Something_other_than_a_socket_at_the_socket_path_is_never_removed(string kind)
    {
        using var folder = new TempDirectory();
        var path = folder.Combine("run", "mfahost.sock");
        var precious = folder.Write("precious.txt", "keep me");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (kind == "file")
        {
            File.WriteAllText(path, "keep me");
        }
        else
        {
            File.CreateSymbolicLink(path, precious);
        }

        var refusal = Assert.ThrowsAsync<HostStartupException>(() => MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting(), $"socket = {path}"));

        Assert.That(refusal!.Message, Does.Contain("not a socket"));
        Assert.That(File.ReadAllText(path), Is.EqualTo("keep me"), "still there, untouched");
        Assert.That(File.ReadAllText(precious), Is.EqualTo("keep me"));
    }

    [Test]
    public async Task Data_dir_is_created_0700_and_every_state_file_0600_whatever_the_umask()
    {
        using var folder = new TempDirectory();
        var data = folder.Combine("data");
        var previous = umask(0);
        IStateStore store;
        try
        {
            // As the host and the CLI open it (HostComposition.CreateStateStore).
            store = HostComposition.CreateStateStore(new MfaHost.Configuration.HostSettings
            {
                ConfigFile = folder.Combine("mfahost.ini"),
                ConfigDirectory = folder.Path,
                SocketPath = folder.Combine("run", "mfahost.sock"),
                PluginsDirectory = folder.Path,
                PluginConfigDirectory = folder.Path,
                DataDirectory = data,
            }, TimeProvider.System);
            await store.SetAsync("k", "v", null, CancellationToken.None);
        }
        finally
        {
            _ = umask(previous);
        }

        try
        {
            Assert.That(File.GetUnixFileMode(data), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
            var files = Directory.GetFiles(data);
            Assert.That(files.Select(Path.GetFileName), Is.SupersetOf(new[] { "state.db", "state.db-wal", "state.db-shm" }));
            foreach (var file in files)
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
            }
        }
        finally
        {
            await ((IAsyncDisposable)store).DisposeAsync();
        }
    }

    [Test]
    public async Task A_state_database_left_readable_by_others_is_made_private_at_start()
    {
        using var folder = new TempDirectory();
        var database = folder.Combine("data", "state.db");
        await using (var first = new MfaHost.State.SqliteStateStore(database, TimeProvider.System))
        {
            await first.SetAsync("k", "v", null, CancellationToken.None);
        }

        File.SetUnixFileMode(database, (UnixFileMode)0b110_100_100);

        await using var second = new MfaHost.State.SqliteStateStore(database, TimeProvider.System);

        Assert.That(File.GetUnixFileMode(database), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(await second.GetAsync("k", CancellationToken.None), Is.EqualTo("v"));
    }

    [Test]
    public void A_credentials_file_owned_by_another_user_is_refused_even_with_mode_0600()
    {
        RequireRoot();
        using var folder = new TempDirectory();
        var path = folder.Write("credentials.ini", "[acme]\ntoken = s3cret\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.That(chown(path, 65534, 65534), Is.Zero);

        var refusal = Assert.Throws<MfaConfigurationException>(() => CredentialsFile.Load(path));

        Assert.That(refusal!.Message, Does.Contain(path).And.Contain("owned by uid 65534"));
        Assert.That(refusal.Message, Does.Not.Contain("s3cret"));
    }

    [Test]
    public async Task A_client_that_expects_the_hosts_uid_connects_and_one_that_expects_another_uid_is_refused()
    {
        await using var host = await MockedPipelineHost.StartAsync(MockedPipelineHost.Accepting());
        var uid = geteuid();

        await using (var genuine = await MfaHostClient.ConnectAsync(host.SocketPath, new MfaHostClientOptions { ExpectedHostUid = uid }))
        {
            Assert.That((await genuine.HealthAsync()).Status, Is.EqualTo("ok"));
        }

        var impostor = Assert.ThrowsAsync<MfaHostImpostorException>(() => MfaHostClient.ConnectAsync(host.SocketPath, new MfaHostClientOptions { ExpectedHostUid = uid + 4242 }));

        Assert.That(impostor!.Message, Does.Contain($"uid {uid}").And.Contain($"uid {uid + 4242}").And.Contain(host.SocketPath));
        Assert.That(impostor.ActualUid, Is.EqualTo(uid));
    }

    private static uint geteuid() => MfaHost.Unix.FileStatus.Effective().Uid;

    private static int chown(string path, uint owner, uint group)
    {
        using var process = System.Diagnostics.Process.Start("chown", [$"{owner}:{group}", path])!;
        process.WaitForExit();
        return process.ExitCode;
    }

#pragma warning disable SYSLIB1054 // A test helper: DllImport needs no unsafe code in the test project.
    [DllImport("libc")]
    private static extern uint umask(uint mask);
#pragma warning restore SYSLIB1054
}
