using BenchmarkDotNet.Attributes;
using OtpNet;

namespace MfaHost.Benchmarks;

/// <summary>The totp plugin's OTP hot path (Otp.NET): verifying a 6-digit SHA-1 code against the current step ±1 (three HMACs).</summary>
[MemoryDiagnoser]
public class TotpVerifyBenchmarks
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly VerificationWindow _window = VerificationWindow.RfcSpecifiedNetworkDelay;
    private Totp _totp = null!;
    private string _valid = null!;
    private string _wrong = null!;

    [GlobalSetup]
    public void Setup()
    {
        _totp = new Totp(KeyGeneration.GenerateRandomKey(20));
        _valid = _totp.ComputeTotp(At.AddSeconds(-30).UtcDateTime);
        _wrong = ((int.Parse(_valid, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Benchmark(Description = "VerifyTotp window ±1, valid code (previous step)")]
    public bool VerifyValid() => _totp.VerifyTotp(At.UtcDateTime, _valid, out _, _window);

    [Benchmark(Description = "VerifyTotp window ±1, wrong code")]
    public bool VerifyWrong() => _totp.VerifyTotp(At.UtcDateTime, _wrong, out _, _window);

    [Benchmark(Description = "ComputeTotp (one HMAC-SHA-1)")]
    public string Compute() => _totp.ComputeTotp(At.UtcDateTime);
}
