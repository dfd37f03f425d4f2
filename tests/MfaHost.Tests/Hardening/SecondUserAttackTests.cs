using System.Text;
using MfaHost.Testing;

namespace MfaHost.Tests.Hardening;

/// <summary>
/// Issue 13's local attacks made by a second real user (uid 65534 through <c>setpriv</c>) against the real
/// <c>mfahost</c> program: a caller not in <c>[access]</c> is refused and cannot flood the log, a socket folder that user
/// can write stops the host, a file that user plants at the socket path survives, and the state folder, its files and the
/// credentials file are closed to that user.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class SecondUserAttackTests
{
    private const string Socat = "/usr/bin/socat";

    private static string PluginsDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "testplugins");

    private static string Authenticate(int id) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"authenticate","params":{"plugin":"x","session_id":"s{{{id}}}","username":"alice","mfa_password":"123456","protocol":"ssh"}}""" + "\n";

    [Test]
    public async Task A_uid_not_in_access_is_refused_on_every_call_and_logged_once_not_per_call()
    {
        OtherUser.Require(Socat);
        await using var host = await HostProcess.StartAsync(PluginsDirectory, new Dictionary<string, string>(), "[host]\nsocket_mode = 0666\n");
        OtherUser.MakeTraversable(Path.GetDirectoryName(host.SocketPath)!);
        var frames = string.Concat(Enumerable.Range(1, 300).Select(Authenticate));

        var (exit, output, error) = await OtherUser.RunAsync(Socat, ["-t", "5", "-", "UNIX-CONNECT:" + host.SocketPath], frames);
        var answers = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, error);
            Assert.That(answers, Has.Length.EqualTo(300), "every call is answered");
            Assert.That(answers, Has.All.Contain("\"error\"").And.All.Contain("Forbidden"));
            Assert.That(answers, Has.None.Contain("ACCEPT"));
            Assert.That(host.Output.Lines.Count(l => l.Contains("Access refused: uid " + OtherUser.Uid, StringComparison.Ordinal)), Is.EqualTo(1), "300 refusals, one log line");
        });
    }

    [Test]
    public async Task With_the_shipped_socket_mode_another_user_cannot_even_connect()
    {
        OtherUser.Require(Socat);
        await using var host = await HostProcess.StartAsync(PluginsDirectory, new Dictionary<string, string>());
        OtherUser.MakeTraversable(Path.GetDirectoryName(host.SocketPath)!);

        var (exit, output, error) = await OtherUser.RunAsync(Socat, ["-t", "2", "-", "UNIX-CONNECT:" + host.SocketPath], Authenticate(1));

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Not.Zero);
            Assert.That(error, Does.Contain("Permission denied"));
            Assert.That(output, Is.Empty);
        });
    }

    [Test]
    public async Task A_socket_folder_that_user_can_write_stops_the_host_which_says_why()
    {
        OtherUser.Require("/usr/bin/touch");
        using var temp = new TempDirectory();
        var folder = Directory.CreateDirectory(temp.Combine("theirs")).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
        Chown(folder, OtherUser.Uid);
        OtherUser.MakeTraversable(folder);
        var socket = Path.Combine(folder, "mfahost.sock");
        var config = HostFile(temp, socket);

        var planted = await OtherUser.RunAsync("/usr/bin/touch", [Path.Combine(folder, "proof")]);
        var run = await HostProcess.RunProgramAsync(["--config", config]);

        Assert.Multiple(() =>
        {
            Assert.That(planted.ExitCode, Is.Zero, "that user can write there: " + planted.Error);
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain($"is in an unsafe place: {folder} is owned by uid {OtherUser.Uid}"));
            Assert.That(File.Exists(socket), Is.False, "the host never listened");
        });
    }

    [Test]
    public async Task A_file_that_user_plants_at_the_socket_path_of_a_sticky_folder_is_not_deleted_and_the_host_says_why()
    {
        OtherUser.Require("/bin/sh");
        using var temp = new TempDirectory();
        var folder = Directory.CreateDirectory(temp.Combine("shared")).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("1777", 8));
        OtherUser.MakeTraversable(folder);
        var socket = Path.Combine(folder, "mfahost.sock");
        var config = HostFile(temp, socket);

        var planted = await OtherUser.RunAsync("/bin/sh", ["-c", $"echo planted > '{socket}'"]);
        var run = await HostProcess.RunProgramAsync(["--config", config]);

        Assert.Multiple(() =>
        {
            Assert.That(planted.ExitCode, Is.Zero, planted.Error);
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain($"the socket path {socket} ([host] socket) is taken by a regular file"));
            Assert.That(File.ReadAllText(socket), Is.EqualTo("planted\n"), "the planted file is left as it was");
            Assert.That(Owner(socket), Is.EqualTo(OtherUser.Uid));
        });
    }

    [Test]
    public async Task The_state_folder_its_files_and_the_credentials_file_are_closed_to_that_user()
    {
        OtherUser.Require("/bin/cat", "/bin/ls");
        using var secrets = new TempDirectory();
        var credentials = secrets.Write("credentials.ini", "[tickets]\nsigning_key = " + new string('s', 48) + "\n");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        OtherUser.MakeTraversable(secrets.Path);
        SuiteLog.RegisterSecret(new string('s', 48), "test ticket signing key");
        await using var host = await HostProcess.StartAsync(
            PluginsDirectory, new Dictionary<string, string>(), $"[host]\ncredentials_file = {credentials}\n[tickets]\nsigning_key = $\n");
        var data = Path.Combine(host.Directory, "config", "data");
        OtherUser.MakeTraversable(Path.Combine(host.Directory, "config"));
        var files = Directory.GetFiles(data, "*", SearchOption.AllDirectories);

        var listing = await OtherUser.RunAsync("/bin/ls", [data]);
        var reads = new List<(string File, int ExitCode, string Output)>();
        foreach (var file in files.Append(credentials))
        {
            var read = await OtherUser.RunAsync("/bin/cat", [file]);
            reads.Add((file, read.ExitCode, read.Output));
        }

        Assert.Multiple(() =>
        {
            Assert.That(files.Select(Path.GetFileName), Has.Member("state.db"), "the host made its state");
            Assert.That(listing.ExitCode, Is.Not.Zero, "the data folder cannot be listed: " + listing.Output);
            Assert.That(listing.Error, Does.Contain("Permission denied"));
            foreach (var (file, exitCode, output) in reads)
            {
                Assert.That(exitCode, Is.Not.Zero, file + " is readable by uid " + OtherUser.Uid);
                Assert.That(output, Is.Empty, file);
            }
        });
    }

    private static string HostFile(TempDirectory temp, string socket)
    {
        Directory.CreateDirectory(temp.Combine("config", "plugins"));
        return temp.Write("config/mfahost.ini", $"[host]\nsocket = {socket}\nplugins_dir = {PluginsDirectory}\ndata_dir = data\n");
    }

    private static void Chown(string path, int uid)
    {
        using var chown = System.Diagnostics.Process.Start("/bin/chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
        chown.WaitForExit();
        Assert.That(chown.ExitCode, Is.Zero, "chown " + path);
    }

    private static long Owner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
