using System.Diagnostics;
using System.Globalization;
using GpuNet.Training;

namespace GpuNet.Cli;

/// <summary>
/// Keras's per-epoch progress line: a live bar on a terminal, and one finished line per epoch
/// when the output is a file or a pipe (so logs stay readable).
/// </summary>
public sealed class KerasProgressBar(TextWriter output, bool live) : TrainingCallback
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _epochClock = new();
    private TimeSpan _lastDraw;
    private int _epochs, _stepsPerEpoch;
    private string _lastLine = "";

    public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch)
    {
        _epochs = epochs;
        _stepsPerEpoch = stepsPerEpoch;
    }

    public override void OnEpochBegin(int epoch)
    {
        output.WriteLine($"Epoch {epoch}/{_epochs}");
        _epochClock.Restart();
        _lastDraw = TimeSpan.Zero;
    }

    public override void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy)
    {
        if (!live || (_epochClock.Elapsed - _lastDraw < RefreshInterval && step < stepsPerEpoch)) return;
        _lastDraw = _epochClock.Elapsed;
        double secondsPerStep = _epochClock.Elapsed.TotalSeconds / step;
        string eta =
            $"ETA: {Math.Ceiling(secondsPerStep * (stepsPerEpoch - step)).ToString(CultureInfo.InvariantCulture)}s";
        Draw($"{Bar(step, stepsPerEpoch)} - {eta} - loss: {F(loss)} - accuracy: {F(accuracy)}");
    }

    public override void OnEpochEnd(EpochLogs logs)
    {
        int steps = _stepsPerEpoch;
        string line = $"{Bar(steps,
            steps)} - {Math.Round(logs.Seconds).ToString(CultureInfo.InvariantCulture)}s " +
                      $"{StepTime(logs.Seconds / steps)}/step" +
                      $" - loss: {F(logs.Loss)} - accuracy: {F(logs.Accuracy)}";
        if (logs.ValidationLoss is { } vl)
            line += $" - val_loss: {F(vl)} - val_accuracy: {F(logs.ValidationAccuracy ?? 0)}";
        if (live) Draw(line);
        else output.Write(line);
        output.WriteLine();
        _lastLine = "";
    }

    private void Draw(string line)
    {
        // Pad over what the last draw left on the line.
        output.Write("\r" + line.PadRight(_lastLine.Length));
        output.Flush();
        _lastLine = line;
    }

    private static string Bar(int step, int steps)
    {
        string count = $"{step}/{steps}".PadLeft(2 * steps.ToString(CultureInfo.InvariantCulture).Length + 1);
        int filled = (int)((long)BarWidth * step / steps);
        string bar = step >= steps ? new string('=', BarWidth) : new string('=', Math.Max(0, filled - 1)) + ">"
            + new string('.', BarWidth - Math.Max(1, filled));
        return $"{count} [{bar}]";
    }

    private static string StepTime(double seconds) => seconds >= 1 ? $"{seconds:0}s"
        : seconds >= 1e-3 ? $"{seconds * 1e3:0}ms" : $"{seconds * 1e6:0}us";

    private static string F(float value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
