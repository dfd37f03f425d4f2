using System.Text;
using MfaHost.Audit;
using MfaHost.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MfaHost.Configuration;

namespace MfaHost.Tests.Audit;

/// <summary>The trail's writer on its own: chain across restarts and rotation, failures that never throw, a full queue.</summary>
public sealed class AuditTrailTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));

    private static AuditRecord Decision(string session) =>
        new() { Event = AuditRecord.DecisionEvent, Method = "authenticate", SessionId = session, Username = "alice", Verdict = "ACCEPT", Reason = "accepted" };

    private AuditTrail Trail(string file, CapturingLogger? logger = null, int queue = AuditSettings.DefaultQueue) =>
        new(new AuditSettings { File = file, Key = Key, GeneratedKeyFile = file + ".key", Queue = queue }, new StartupConfigurationGeneration(), _time, new Logger<AuditTrail>(new LoggerFactory([logger ?? new CapturingLogger()])));

    private static async Task WriteAsync(AuditTrail trail, params string[] sessions)
    {
        await trail.StartAsync(CancellationToken.None);
        foreach (var session in sessions)
        {
            trail.Record(Decision(session));
        }

        await trail.StopAsync(CancellationToken.None);
        await trail.DisposeAsync();
    }

    [Test]
    public async Task A_restarted_host_continues_the_chain_of_the_file()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("audit.jsonl");
        await WriteAsync(Trail(file), "s1", "s2");
        await WriteAsync(Trail(file), "s3");

        var result = AuditChainVerifier.Verify([file], Key);
        Assert.That((result.Problem, result.Lines, result.LastSequence, result.ContinuesEarlierFile), Is.EqualTo(((string?)null, 3L, 3L, false)));
    }

    [Test]
    public async Task A_burst_flushed_in_batches_is_written_whole_in_order_and_counted()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("audit.jsonl");
        var trail = Trail(file);
        await WriteAsync(trail, [.. Enumerable.Range(0, 2000).Select(i => "s" + i)]);

        var result = AuditChainVerifier.Verify([file], Key);
        Assert.Multiple(() =>
        {
            Assert.That((result.Problem, result.Lines, result.LastSequence), Is.EqualTo(((string?)null, 2000L, 2000L)));
            Assert.That((trail.Written, trail.WriteFailures), Is.EqualTo((2000L, 0L)));
        });
    }

    [Test]
    public async Task After_rotation_and_reopen_the_new_file_continues_the_chain_of_the_old_one()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("audit.jsonl");
        var trail = Trail(file);
        await trail.StartAsync(CancellationToken.None);
        trail.Record(Decision("s1"));
        trail.Record(Decision("s2"));
        await WaitForLinesAsync(file, 2);
        File.Move(file, file + ".1");
        trail.Reopen();
        trail.Record(Decision("s3"));
        await trail.StopAsync(CancellationToken.None);
        await trail.DisposeAsync();

        var both = AuditChainVerifier.Verify([file + ".1", file], Key);
        var current = AuditChainVerifier.Verify([file], Key);
        Assert.Multiple(() =>
        {
            Assert.That((both.Problem, both.Lines), Is.EqualTo(((string?)null, 3L)));
            Assert.That((current.Problem, current.FirstSequence, current.ContinuesEarlierFile), Is.EqualTo(((string?)null, 3L, true)));
            Assert.That(File.ReadAllLines(file + ".1"), Has.Length.EqualTo(2));
        });
    }

    [Test]
    public async Task The_file_is_created_readable_by_the_host_user_only()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("data", "audit.jsonl");
        await WriteAsync(Trail(file), "s1");
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task A_write_that_fails_is_logged_and_counted_and_never_throws()
    {
        using var temp = new TempDirectory();
        temp.Write("blocker", "a file where the trail's folder should be");
        var logger = new CapturingLogger();
        var trail = Trail(temp.Combine("blocker", "audit.jsonl"), logger);
        await WriteAsync(trail, "s1", "s2");
        Assert.Multiple(() =>
        {
            Assert.That(trail.WriteFailures, Is.EqualTo(2));
            Assert.That(trail.Written, Is.Zero);
            Assert.That(logger.AllText, Does.Contain("writing to").And.Contain("the decision stands"));
        });
    }

    [Test]
    public async Task Records_beyond_a_full_queue_are_dropped_and_counted_never_waited_for()
    {
        using var temp = new TempDirectory();
        var logger = new CapturingLogger();
        var trail = Trail(temp.Combine("audit.jsonl"), logger, queue: 100);

        // Not started: nothing drains the queue.
        for (var i = 0; i < 150; i++)
        {
            trail.Record(Decision($"s{i}"));
        }

        Assert.That(trail.Dropped, Is.EqualTo(50));
        await trail.StartAsync(CancellationToken.None);
        await trail.StopAsync(CancellationToken.None);
        await trail.DisposeAsync();
        Assert.That(File.ReadAllLines(temp.Combine("audit.jsonl")), Has.Length.EqualTo(100));
    }

    [Test]
    public async Task Without_a_key_in_the_credential_store_a_generated_key_is_kept_next_to_the_data()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("audit.jsonl");
        var settings = new AuditSettings { File = file, GeneratedKeyFile = temp.Combine("audit.key") };
        var logger = new CapturingLogger();
        var trail = new AuditTrail(settings, new StartupConfigurationGeneration(), _time, new Logger<AuditTrail>(new LoggerFactory([logger])));
        await WriteAsync(trail, "s1");
        var key = settings.ResolveKey(create: false);
        Assert.Multiple(() =>
        {
            Assert.That(key, Is.Not.Null);
            Assert.That(File.GetUnixFileMode(settings.GeneratedKeyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(AuditChainVerifier.Verify([file], key!).Problem, Is.Null);
            Assert.That(logger.AllText, Does.Contain("no key in the credential store"));
        });
    }

    [Test]
    public void A_line_cut_off_at_the_end_is_reported()
    {
        using var temp = new TempDirectory();
        var (line, _) = AuditLine.Format(Decision("s1"), 1, "h", 1, string.Empty, Key);
        var file = temp.Write("audit.jsonl", Encoding.UTF8.GetString(line) + "{\"seq\":2,\"ti");
        Assert.That(AuditChainVerifier.Verify([file], Key).Problem, Does.EndWith(":2: the line is incomplete (no newline at its end: a write was cut off, or the file was truncated)"));
    }

    [Test]
    public void Field_values_are_escaped_so_a_username_cannot_forge_a_line_or_a_field()
    {
        var (line, _) = AuditLine.Format(Decision("s1") with { Username = "eve\",\"verdict\":\"ACCEPT\n{" }, 1, "h", 1, string.Empty, Key);
        var text = Encoding.UTF8.GetString(line);
        Assert.Multiple(() =>
        {
            Assert.That(text.TrimEnd('\n'), Does.Not.Contain("\n"));
            Assert.That(System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("username").GetString(), Is.EqualTo("eve\",\"verdict\":\"ACCEPT\n{"));
        });
    }

    internal static async Task WaitForLinesAsync(string file, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!File.Exists(file) || File.ReadAllLines(file).Length < count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
