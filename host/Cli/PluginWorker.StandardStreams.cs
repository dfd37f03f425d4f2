using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MfaHost.Cli;

/// <summary>The worker's standard streams, taken over for the protocol.</summary>
internal sealed partial class PluginWorker
{
    /// <summary>
    /// The protocol runs on the standard input and a copy of the standard output; the standard output itself is pointed
    /// at the standard error, so that whatever a plugin (or native code) prints cannot corrupt the protocol.
    /// </summary>
    private static (Stream Input, Stream Output) TakeOverStandardStreams()
    {
        var protocolOut = Dup(1);
        if (protocolOut < 0 || Dup2(2, 1) < 0)
        {
            throw new IOException("dup of the standard output failed: " + Marshal.GetLastPInvokeErrorMessage());
        }

        Console.SetOut(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
        var input = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(0, ownsHandle: false));
        var output = new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(protocolOut, ownsHandle: true));
        return (input, output);
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int target);
}
