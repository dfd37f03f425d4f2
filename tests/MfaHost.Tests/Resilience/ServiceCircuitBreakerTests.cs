using MfaHost.Configuration;
using MfaHost.Pipeline;
using MfaHost.Plugins;
using MfaHost.PluginSdk;
using MfaHost.Resilience;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace MfaHost.Tests.Resilience;

/// <summary>
/// The circuit breaker the host keeps per plugin instance (<see cref="PluginCallGuard"/>), driven with a scripted
/// plugin and a hand-driven clock.
/// </summary>
public class ServiceCircuitBreakerTests
{
    private FakeTimeProvider _time = null!;
    private CapturingLogger _log = null!;

    /// <summary>What the scripted plugin does on its next call.</summary>
    private enum Behaviour
    {
        Accept,
        Unreachable,
        CommunicationError,
        AuthenticationFailure,
        Hang,
        Bug,
    }

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _log = new CapturingLogger();
    }

    [TearDown]
    public void TearDown() => _log.Dispose();

    private sealed class ScriptedClient(MfaPluginContext context, bool failOpen) : MfaClient(context, "Scripted", failOpen)
    {
        public Behaviour Next { get; set; } = Behaviour.Accept;

        public int Calls { get; private set; }

        public TaskCompletionSource<bool> Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a Hang call has reached the plugin (which runs off the caller's thread).</summary>
        public TaskCompletionSource HangEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async ValueTask<MfaResult> PushAsync(MfaRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            if (Next == Behaviour.Hang)
            {
                HangEntered.TrySetResult();
            }

            return Next switch
            {
                Behaviour.Accept => true,
                Behaviour.Unreachable => throw new MfaServiceUnreachable("connection refused"),
                Behaviour.CommunicationError => throw new MfaCommunicationError("HTTP 500"),
                Behaviour.AuthenticationFailure => throw new MfaAuthenticationFailure("denied"),
                Behaviour.Hang => await Hanging.Task.WaitAsync(cancellationToken),
                _ => throw new InvalidOperationException("bug"),
            };
        }
    }

    /// <summary>A scripted instance with its pipeline settings and the host's guard around it.</summary>
    private sealed class Subject(ScriptedClient client, PluginInstance instance, PipelineSettings settings, PluginCallGuard guard, InstanceCircuits circuits)
    {
        public ScriptedClient Client { get; } = client;

        public PluginInstance Instance { get; } = instance;

        public PipelineSettings Settings { get; } = settings;

        public PluginCallGuard Guard { get; } = guard;

        public int Calls => Client.Calls;

        public CircuitState CircuitState => circuits.StateOf(Instance);

        public Behaviour Next
        {
            set => Client.Next = value;
        }
    }

    private Subject Client(string? failures = "3", string? openSeconds = "30", bool failOpen = false)
    {
        var values = new Dictionary<string, string?>();
        if (failures is not null)
        {
            values["circuit:failures"] = failures;
        }

        if (openSeconds is not null)
        {
            values["circuit:open_seconds"] = openSeconds;
        }

        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), "scripted.ini", Mock.Of<ICredentialStore>());
        var context = new MfaPluginContext
        {
            InstanceName = "scripted",
            Configuration = configuration,
            Logger = _log,
            TimeProvider = _time,
            Credentials = Mock.Of<ICredentialStore>(),
            HttpClientFactory = Mock.Of<IPluginHttpClientFactory>(),
            State = Mock.Of<IStateStore>(),
        };
        var client = new ScriptedClient(context, failOpen);
        var instance = new PluginInstance { Name = "scripted", Type = "scripted", ConfigFile = "scripted.ini", Configuration = configuration, Client = client };
        var circuits = new InstanceCircuits(_time, new LoggerFactory([_log]));
        var host = new HostSettings { ConfigFile = "mfahost.ini", ConfigDirectory = ".", SocketPath = "s.sock", PluginsDirectory = ".", PluginConfigDirectory = ".", DataDirectory = "." };
        var guard = new PluginCallGuard(circuits, host, _time, new Logger<PluginCallGuard>(new LoggerFactory([_log])));
        return new Subject(client, instance, PipelineSettings.Read(configuration), guard, circuits);
    }

    private static MfaRequest Request() => new() { Username = "alice", MfaIdentity = "alice", Session = new MfaSession("s1") };

    private static async Task<MfaVerdict> Authenticate(Subject client, Behaviour behaviour, CancellationToken cancellationToken = default)
    {
        client.Next = behaviour;
        return await client.Guard.AuthenticateAsync(client.Instance, client.Settings, Request(), cancellationToken, CancellationToken.None);
    }

    private static async Task Fail(Subject client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await Authenticate(client, Behaviour.Unreachable);
        }
    }

    [Test]
    public async Task Opens_after_the_configured_number_of_consecutive_unreachable_failures()
    {
        var client = Client(failures: "3");
        await Fail(client, 2);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
        await Fail(client, 1);
        Assert.Multiple(() =>
        {
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Open));
            Assert.That(_log.Entries.Count(e => e.EventId == 110), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Defaults_to_five_failures()
    {
        var client = Client(failures: null, openSeconds: null);
        await Fail(client, 4);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
        await Fail(client, 1);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Open));
        _time.Advance(TimeSpan.FromSeconds(29));
        await Authenticate(client, Behaviour.Accept);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Open), "open_seconds defaults to 30");
    }

    [Test]
    public async Task While_open_answers_service_unreachable_at_once_without_calling_the_plugin()
    {
        var client = Client();
        await Fail(client, 3);
        var calls = client.Calls;
        var verdict = await Authenticate(client, Behaviour.Accept);
        Assert.Multiple(() =>
        {
            Assert.That(client.Calls, Is.EqualTo(calls));
            Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.ServiceUnreachable)));
            Assert.That(_log.Entries[^1].Message, Does.Contain("circuit open"));
        });
    }

    [Test]
    public async Task While_open_ignore_connection_error_still_decides_accept_and_the_plugin_alone_never_does()
    {
        var client = Client(failOpen: true);
        client.Next = Behaviour.Unreachable;
        var direct = await client.Client.ExecuteAuthenticateAsync(Request(), default);
        await Fail(client, 3);
        var verdict = await Authenticate(client, Behaviour.Accept);
        Assert.That((direct.Kind, direct.Reason), Is.EqualTo((MfaVerdictKind.Deny, MfaReasons.ServiceUnreachable)), "the plugin reports; the host decides");
        Assert.That((verdict.Kind, verdict.Reason), Is.EqualTo((MfaVerdictKind.Accept, MfaReasons.AcceptedServiceUnreachable)));
    }

    [Test]
    public async Task After_open_seconds_one_probe_goes_through_and_the_others_still_get_the_fast_answer()
    {
        var client = Client(openSeconds: "30");
        await Fail(client, 3);
        _time.Advance(TimeSpan.FromSeconds(29.9));
        await Authenticate(client, Behaviour.Accept);
        Assert.That(client.Calls, Is.EqualTo(3), "still open before open_seconds");

        _time.Advance(TimeSpan.FromSeconds(0.1));
        var probe = Authenticate(client, Behaviour.Hang);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.HalfOpen));
        await client.Client.HangEntered.Task;
        var other = await Authenticate(client, Behaviour.Accept);
        Assert.Multiple(() =>
        {
            Assert.That(client.Calls, Is.EqualTo(4), "only the probe reached the plugin");
            Assert.That(other.Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
            Assert.That(probe.IsCompleted, Is.False);
        });

        client.Client.Hanging.SetResult(true);
        var probed = await probe;
        Assert.That(probed.Kind, Is.EqualTo(MfaVerdictKind.Accept));
    }

    [Test]
    public async Task A_successful_probe_closes_the_circuit()
    {
        var client = Client();
        await Fail(client, 3);
        _time.Advance(TimeSpan.FromSeconds(30));
        var probe = await Authenticate(client, Behaviour.Accept);
        var next = await Authenticate(client, Behaviour.Accept);
        Assert.Multiple(() =>
        {
            Assert.That(probe.Kind, Is.EqualTo(MfaVerdictKind.Accept));
            Assert.That(next.Kind, Is.EqualTo(MfaVerdictKind.Accept));
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
            Assert.That(_log.Entries.Select(e => e.EventId).Where(id => id is >= 110 and <= 113), Is.EqualTo(new[] { 110, 111, 112 }));
        });
    }

    [Test]
    public async Task After_closing_it_takes_the_full_count_again_to_open()
    {
        var client = Client(failures: "3");
        await Fail(client, 3);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Authenticate(client, Behaviour.Accept);
        await Fail(client, 2);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task A_failed_probe_reopens_the_circuit_for_another_open_seconds()
    {
        var client = Client();
        await Fail(client, 3);
        _time.Advance(TimeSpan.FromSeconds(30));
        var probe = await Authenticate(client, Behaviour.Unreachable);
        Assert.Multiple(() =>
        {
            Assert.That(probe.Reason, Is.EqualTo(MfaReasons.ServiceUnreachable));
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Open));
            Assert.That(_log.Entries.Count(e => e.EventId == 113), Is.EqualTo(1));
        });

        var calls = client.Calls;
        _time.Advance(TimeSpan.FromSeconds(29));
        await Authenticate(client, Behaviour.Accept);
        Assert.That(client.Calls, Is.EqualTo(calls), "re-opened for a full open_seconds");
        _time.Advance(TimeSpan.FromSeconds(1));
        await Authenticate(client, Behaviour.Accept);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task Communication_errors_and_authentication_failures_do_not_count_and_break_the_streak()
    {
        var client = Client(failures: "3");
        for (var i = 0; i < 10; i++)
        {
            await Authenticate(client, Behaviour.CommunicationError);
        }

        await Fail(client, 2);
        await Authenticate(client, Behaviour.CommunicationError);
        await Fail(client, 2);
        await Authenticate(client, Behaviour.AuthenticationFailure);
        await Fail(client, 2);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task A_cancelled_probe_lets_the_next_request_probe()
    {
        var client = Client();
        await Fail(client, 3);
        _time.Advance(TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        var probe = Authenticate(client, Behaviour.Hang, cts.Token);
        await cts.CancelAsync();
        Assert.That(async () => await probe, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.HalfOpen));

        var next = await Authenticate(client, Behaviour.Accept);
        Assert.Multiple(() =>
        {
            Assert.That(next.Kind, Is.EqualTo(MfaVerdictKind.Accept));
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
        });
    }

    [Test]
    public async Task A_plugin_bug_during_the_probe_frees_the_probe_slot()
    {
        var client = Client();
        await Fail(client, 3);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await Authenticate(client, Behaviour.Bug)).Reason, Is.EqualTo(MfaReasons.PluginError));
        await Authenticate(client, Behaviour.Accept);
        Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task Failures_zero_turns_the_breaker_off()
    {
        var client = Client(failures: "0");
        await Fail(client, 50);
        var verdict = await Authenticate(client, Behaviour.Accept);
        Assert.Multiple(() =>
        {
            Assert.That(client.CircuitState, Is.EqualTo(CircuitState.Closed));
            Assert.That(verdict.Kind, Is.EqualTo(MfaVerdictKind.Accept));
        });
    }

    [TestCase("failures", "many", "'many' is not a whole number")]
    [TestCase("failures", "-1", "out of range")]
    [TestCase("open_seconds", "soon", "'soon' is not a number of seconds")]
    [TestCase("open_seconds", "0", "out of range")]
    public void A_bad_circuit_option_is_a_configuration_error_naming_it(string option, string value, string problem)
    {
        var ex = Assert.Throws<MfaConfigurationException>(() => _ = Client(
            failures: option == "failures" ? value : "3",
            openSeconds: option == "open_seconds" ? value : "30"))!;
        Assert.Multiple(() =>
        {
            Assert.That(ex.Message, Does.Contain($"[circuit] {option}"));
            Assert.That(ex.Message, Does.Contain(problem));
        });
    }

    [Test]
    public async Task Transitions_are_logged_with_stable_event_ids_and_levels()
    {
        var client = Client();
        await Fail(client, 3);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Authenticate(client, Behaviour.Unreachable);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Authenticate(client, Behaviour.Accept);
        var transitions = _log.Entries.Where(e => e.EventId is >= 110 and <= 113).Select(e => (e.EventId, e.Level));
        Assert.That(transitions, Is.EqualTo(new[]
        {
            (110, LogLevel.Error), (111, LogLevel.Information), (113, LogLevel.Warning), (111, LogLevel.Information), (112, LogLevel.Information),
        }));
    }
}
