using System.Net.Sockets;

namespace MfaHost.Benchmarks;

/// <summary>
/// The floor: a bare Unix-socket server in this process that echoes every byte back, driven by the same
/// driver with the same lines. The host cannot be faster than this.
/// </summary>
internal static class EchoBaseline
{
    public static async Task<int> RunAsync(Options options)
    {
        long? requests = options.Double("requests") is { } n ? (long)n : null;
        TimeSpan? duration = options.Double("seconds") is { } s ? TimeSpan.FromSeconds(s) : null;
        var result = await MeasureAsync(options.Int("connections", 1), options.Int("depth", 1), requests, duration ?? (requests is null ? TimeSpan.FromSeconds(10) : null), TimeSpan.FromSeconds(options.Double("warmup-seconds") ?? 2));
        Console.WriteLine(result.Summary("echo"));
        return 0;
    }

    public static async Task<DriverResult> MeasureAsync(int connections, int depth, long? requests, TimeSpan? duration, TimeSpan warmup)
    {
        var path = Path.Combine("/tmp", $"mfa-echo-{Environment.ProcessId}.sock");
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1024);
        using var stop = new CancellationTokenSource();
        var server = Task.Run(() => ServeAsync(listener, stop.Token));
        try
        {
            if (warmup > TimeSpan.Zero)
            {
                await LineDriver.RunAsync(path, connections, depth, null, warmup, (c, id) => LineDriver.AuthenticateLine("noop", c, id));
            }

            return await LineDriver.RunAsync(path, connections, depth, requests, duration, (c, id) => LineDriver.AuthenticateLine("noop", c, id));
        }
        finally
        {
            await stop.CancelAsync();
            listener.Close();
            File.Delete(path);
        }
    }

    private static async Task ServeAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var buffer = new byte[64 * 1024];
                    try
                    {
                        int read;
                        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                        {
                            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                        }
                    }
                    catch (SocketException)
                    {
                    }
                }
            }, CancellationToken.None);
        }
    }
}
