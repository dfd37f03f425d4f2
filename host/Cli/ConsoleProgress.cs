using System.Globalization;

namespace MfaHost.Cli;

/// <summary>
/// Progress of long work on stderr (stdout stays the command's result). On a terminal it is one bar redrawn in place
/// (at most ten times a second); otherwise, when asked for with <c>--progress</c>, a line per tenth of the work, so a
/// log file shows it too. <c>--quiet</c>, or no terminal without <c>--progress</c>, shows nothing.
/// </summary>
internal sealed class ConsoleProgress(TextWriter writer, bool enabled, bool redraw, TimeProvider timeProvider)
{
    private const int Width = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private string _label = string.Empty;
    private long _lastDrawn = long.MinValue;
    private int _lastTenth = -1;
    private bool _drawn;

    /// <summary>Shown on a terminal unless <paramref name="quiet"/>, and wherever stderr goes with <paramref name="forced"/>.</summary>
    public static ConsoleProgress For(CliConsole console, bool forced, bool quiet) =>
        new(console.Error, !quiet && (forced || console.ErrorIsTerminal), console.ErrorIsTerminal, TimeProvider.System);

    /// <summary>Starts a phase: <paramref name="label"/> is what is counted ("reading", "importing").</summary>
    public void Start(string label)
    {
        Finish();
        _label = label;
        _lastDrawn = long.MinValue;
        _lastTenth = -1;
    }

    public void Report(long done, long total, string unit)
    {
        if (!enabled || total <= 0)
        {
            return;
        }

        var fraction = Math.Clamp((double)done / total, 0, 1);
        if (!redraw)
        {
            var tenth = (int)(fraction * 10);
            if (tenth > _lastTenth)
            {
                _lastTenth = tenth;
                writer.WriteLine($"{_label}: {tenth * 10}% ({Count(done)} of {Count(total)} {unit})");
            }

            return;
        }

        var now = timeProvider.GetTimestamp();
        if (done < total && _lastDrawn != long.MinValue && timeProvider.GetElapsedTime(_lastDrawn, now) < RedrawInterval)
        {
            return;
        }

        _lastDrawn = now;
        var filled = (int)(fraction * Width);
        writer.Write($"\r{_label,-10} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} {Count(done)}/{Count(total)} {unit}  ");
        _drawn = true;
    }

    /// <summary>Ends the bar's line, so what follows starts on a line of its own.</summary>
    public void Finish()
    {
        if (_drawn)
        {
            writer.WriteLine();
            _drawn = false;
        }
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
