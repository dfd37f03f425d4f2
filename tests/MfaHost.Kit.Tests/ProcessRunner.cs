using System.Diagnostics;
using System.Text;

namespace MfaHost.Kit.Tests;

/// <summary>Runs a command as an author would type it: its own environment, output captured, a time limit.</summary>
internal sealed class ProcessRunner(IReadOnlyDictionary<string, string?> environment)
{
    public async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, TimeSpan limit, string file, params string[] arguments)
    {
        using var process = Start(workingDirectory, file, arguments, out var output);
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{file} {string.Join(' ', arguments)}' did not finish within {limit}:\n{output}");
        }

        process.WaitForExit();
        TestContext.Progress.WriteLine($"$ {file} {string.Join(' ', arguments)} -> {process.ExitCode}");
        return (process.ExitCode, output.ToString());
    }

    /// <summary>Starts a long-running command; the caller stops it.</summary>
    public Process Start(string workingDirectory, string file, string[] arguments, out StringBuilder output)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var captured = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(captured, e.Data);
        process.ErrorDataReceived += (_, e) => Append(captured, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = captured;
        return process;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
