using System.Collections.Concurrent;

namespace MfaHost.Testing;

/// <summary>
/// Every log line captured anywhere in a test run (by <see cref="LogCapture"/> and <see cref="CapturingLogger"/>),
/// and the secrets tests created (tokens, tickets, codes, passwords). A run-wide check
/// (<see cref="FindLeaks"/>, called by each test assembly's set-up fixture at the end) proves that no secret
/// reached any log line of the whole suite.
/// </summary>
public static class SuiteLog
{
    private static readonly ConcurrentQueue<string> Lines = new();
    private static readonly ConcurrentDictionary<string, string> Secrets = new(StringComparer.Ordinal);

    public static void Append(string line) => Lines.Enqueue(line);

    /// <summary>Registers a secret a test created or used; <paramref name="what"/> names it in a failure.</summary>
    public static void RegisterSecret(string secret, string what)
    {
        // Very short values (a 6-digit code) would match unrelated text such as ports or counts.
        if (!string.IsNullOrEmpty(secret) && secret.Length >= 8)
        {
            Secrets.TryAdd(secret, what);
        }
    }

    public static int LineCount => Lines.Count;

    public static int SecretCount => Secrets.Count;

    /// <summary>Each registered secret found in a captured line, with that line.</summary>
    public static IReadOnlyList<string> FindLeaks()
    {
        var leaks = new List<string>();
        foreach (var line in Lines)
        {
            foreach (var (secret, what) in Secrets)
            {
                if (line.Contains(secret, StringComparison.Ordinal))
                {
                    leaks.Add($"{what} in: {line}");
                }
            }
        }

        return leaks;
    }
}
