using System.Globalization;
using BenchmarkDotNet.Running;

namespace MfaHost.Benchmarks;

/// <summary>The subcommands: micro benchmarks, the load driver, the echo baseline, parked pushes, a config writer.</summary>
internal static class BenchmarkProgram
{
    private const string Usage = """
        MfaHost.Benchmarks <command> [options]

          setup --dir DIR                      write a host configuration (instances noop, noop-isolated = noop in a worker process,
                                               park = test plugin waiting 30 s) into DIR
          load  --socket S [--plugin noop] [--connections 1] [--depth 1] [--requests N | --seconds T]
                [--method authenticate|health] [--host-pid PID] [--warmup-seconds 2]
                                               drive a running host over its socket; prints throughput and latency
          echo  [--connections 1] [--depth 1] [--requests N | --seconds T]
                                               the same driver against a bare Unix-socket echo server in this process
          park  --socket S [--plugin park] [--count 10000] [--connections 20] [--health-seconds 20] [--host-pid PID]
                                               park COUNT pushes (one user each) in the host, measure health meanwhile, then collect the pushes
          park-acme --dir DIR [--count 10000] [--connections 20] [--poll-interval 30] [--push-timeout 60] [--status-batch 1]
                [--max-connections 32] [--health-seconds 20] [--host mfahost.dll]
                                               the same with the acme plugin against a loopback Acme test server, with a host it starts
                                               itself: memory, file handles, sockets to the service; then half the users approve
          totp-setup --dir DIR [--users 30000] [--postgres CONNSTR [--schema mfahost_bench] [--hosts 2]]
                                               write host configuration(s) with a totp instance (period 1 s) and enroll USERS users
                                               (into DIR/data/state.db, or the PostgreSQL database all HOSTS host files share)
          totp-load --socket S[,S2] --users-file DIR/totp-users.txt [--plugin totp] [--connections 16] [--depth 1] [--seconds 10] [--host-pid PID]
                                               drive the totp plugin with valid, never repeated codes; anything but ACCEPT is an error
          totp-compare --socket S --users-file DIR/totp-users.txt [--connections 16] [--seconds 10] [--host-pid PID]
                [--freeradius freeradius] [--radclient radclient] [--radclient-processes 4]
                                               the totp-load run, then a private FreeRADIUS 3.2 rlm_totp with the same users and
                                               clients (RADIUS on loopback); prints both figures and the ratio; then FreeRADIUS
                                               driven by N parallel `radclient -p 64 -q -s` (0: skip), its figure and ratio
          totp-verify-load --dir DIR [--callers 16] [--seconds 10] [--rounds 1]
                                               the totp instance of a totp-setup folder called in this process (no socket, no
                                               pipeline): verifications/s, latency and CPU time per verification
          totp-import [--users 100000]         import USERS otpauth URIs and USERS google_authenticator files into fresh stores
                                               (seed key set); times, and a sample checked against oathtool codes
          totp-import-cli --config CFG --socket S --mfahost PATH [--users 100000]
                                               mfahost totp import (PATH: the program or mfahost.dll) of USERS URIs and a folder of USERS
                                               google_authenticator files into the host of CFG; times, then oathtool codes through S
          claim-load [--writers 16] [--seconds 5]
                                               the totp path's store work (read + replay claim) in-process, on a temp SQLite file
          soak  --socket S [--plugin noop] [--minutes 30] [--workers 8]
                                               mixed load (pipelined logins, health, hostile frames, churn, idle and half-sent
                                               connections); prints the host's memory and descriptors every 30 s, exit 1 if they grew
          reload-setup --dir DIR [--push-seconds 2]
                                               write a configuration (DIR/config/mfahost.ini) with instances push, otp, conv of the reloadable test plugin
          reload-soak --dir DIR --socket S [--reloads 100] [--interval 1] [--connections 32] [--host-pid PID]
                                               logins of every kind on CONNECTIONS connections while the host reloads RELOADS times (new build, changed,
                                               added, removed instance, broken configuration); failures, reload times, host memory
          micro [BenchmarkDotNet options]      frame parsing, request decoding, response writing, dispatch, the pipeline's steps (BenchmarkDotNet)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var options = Options.Parse(args.Skip(1));
        switch (args[0])
        {
            case "setup":
                BenchConfiguration.Write(options.Required("dir"));
                return 0;
            case "load":
                return await LoadDriver.RunAsync(options.Required("socket"), options);
            case "echo":
                return await EchoBaseline.RunAsync(options);
            case "park":
                return await ParkedPushes.RunAsync(options);
            case "park-acme":
                return await ParkedAcmePushes.RunAsync(options);
            case "totp-setup":
                return await TotpLoad.SetupAsync(options);
            case "totp-load":
                return await TotpLoad.RunAsync(options);
            case "totp-verify-load":
                return await TotpVerifyLoad.RunAsync(options);
            case "totp-steps":
                return await TotpSteps.RunAsync(options);
            case "totp-compare":
                return await TotpCompare.RunAsync(options);
            case "totp-import":
                return await TotpImportRun.RunAsync(options);
            case "totp-import-cli":
                return await TotpImportCliRun.RunAsync(options);
            case "claim-load":
                return await ClaimLoad.RunAsync(options);
            case "soak":
                return await Soak.RunAsync(options);
            case "reload-setup":
                return await ReloadSoak.SetupAsync(options);
            case "reload-soak":
                return await ReloadSoak.RunAsync(options);
            case "micro":
                BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run([.. args.Skip(1)], new MicroBenchmarkConfig());
                return 0;
            default:
                Console.Error.WriteLine($"unknown command '{args[0]}'\n{Usage}");
                return 2;
        }
    }
}

/// <summary>--name value pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                options._values[name] = "true";
            }
            else if (name is not null)
            {
                options._values[name] = arg;
                name = null;
            }
        }

        return options;
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public string Get(string name, string defaultValue) => _values.GetValueOrDefault(name, defaultValue);

    public int Int(string name, int defaultValue) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : defaultValue;

    public double? Double(string name) =>
        _values.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : null;

    public int? Pid => _values.TryGetValue("host-pid", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;
}
