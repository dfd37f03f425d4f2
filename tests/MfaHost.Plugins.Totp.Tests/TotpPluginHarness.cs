using MfaHost.Plugins.Totp.Enrollments;
using MfaHost.PluginSdk;
using MfaHost.State;
using MfaHost.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace MfaHost.Plugins.Totp.Tests;

/// <summary>A <see cref="TotpClient"/> over a real SQLite store in a temporary folder, with a fake clock.</summary>
internal sealed class TotpPluginHarness : IDisposable
{
    public const string Instance = "totp";

    private readonly TempDirectory _dir = new();
    private readonly List<SqliteStateStore> _stores = [];

    /// <param name="ini">The instance file.</param>
    /// <param name="start">Create the plugin instance now; false leaves the store untouched (to fill it in clear first, as before seeds were sealed).</param>
    public TotpPluginHarness(string ini = "", bool start = true)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        Ini = ini;
        Client = start ? CreateClient() : null!;
    }

    public FakeTimeProvider Time { get; }

    public ListLogger Logger { get; } = new();

    public string Ini { get; }

    public TotpClient Client { get; private set; }

    public string DataDirectory => _dir.Combine("data");

    /// <summary>The instance's own folder (where it keeps a generated seed key).</summary>
    public string InstanceDirectory => _dir.Combine("data", "plugins", Instance);

    /// <summary>A new store on the same file and a new plugin instance: as after a restart of the host.</summary>
    public void Restart() => Client = CreateClient();

    /// <summary>The enrollment store with the instance's seed key (the plugin seals every secret).</summary>
    public TotpEnrollmentStore Enrollments() => new(new NamespacedStateStore(OpenStore(), Instance), Time, Client.Seeds);

    /// <summary>The enrollment store without a key: secrets written in clear, as before seeds were sealed.</summary>
    public TotpEnrollmentStore PlainEnrollments() => new(new NamespacedStateStore(OpenStore(), Instance), Time);

    /// <summary>The enrollment store with the seed key of <see cref="Ini"/> (as the plugin instance uses it).</summary>
    public TotpEnrollmentStore ClientEnrollments()
    {
        var file = _dir.Write($"config/{Instance}-store.ini", Ini);
        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddIniFile(file).Build(), file, Mock.Of<ICredentialStore>());
        return new(new NamespacedStateStore(OpenStore(), Instance), Time, SeedProtector.FromConfiguration(configuration));
    }

    public async Task<NewTotpEnrollment> EnrollAsync(string user = "alice", TotpSettings? settings = null) =>
        (await (Client is null ? PlainEnrollments() : Enrollments()).EnrollAsync(user, settings ?? new TotpSettings(), false, default))!;

    public Task<MfaVerdict> OtpAsync(string code, string user = "alice") =>
        Client.ExecuteAuthenticateAsync(new MfaRequest { Username = user, MfaIdentity = user, MfaPassword = code, Session = new MfaSession("s-" + Guid.NewGuid().ToString("N")) }, default);

    public Task<MfaVerdict> PushAsync(string user = "alice") =>
        Client.ExecuteAuthenticateAsync(new MfaRequest { Username = user, MfaIdentity = user, Session = new MfaSession("s-" + Guid.NewGuid().ToString("N")) }, default);

    /// <summary>A new plugin instance on the same store (it becomes <see cref="Client"/> when it starts).</summary>
    public TotpClient CreateClient(string? ini = null)
    {
        var file = _dir.Write($"config/{Instance}.ini", ini ?? Ini);
        var configuration = new PluginConfiguration(new ConfigurationBuilder().AddIniFile(file).Build(), file, Mock.Of<ICredentialStore>());
        return Client = new TotpClient(new MfaPluginContext
        {
            InstanceName = Instance,
            Configuration = configuration,
            Logger = Logger,
            TimeProvider = Time,
            Credentials = Mock.Of<ICredentialStore>(),
            HttpClientFactory = new PluginHttpClientFactory(configuration),
            State = new NamespacedStateStore(OpenStore(), Instance),
            DataDirectory = InstanceDirectory,
        });
    }

    /// <summary>Closes every store opened so far (the last close checkpoints the WAL into state.db and removes it).</summary>
    public void CloseStores()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _stores.Clear();
    }

    public void Dispose()
    {
        CloseStores();
        _dir.Dispose();
    }

    private SqliteStateStore OpenStore()
    {
        var store = SqliteStateStore.InDirectory(DataDirectory, Time);
        _stores.Add(store);
        return store;
    }
}
