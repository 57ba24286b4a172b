using System.Runtime.InteropServices;
using GpuNet.Training;

namespace GpuNet.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM while a network trains: the trainer finishes its step, a checkpoint
/// of that step is written, and the run ends with the signal's exit code and the command that
/// resumes it. A second signal, or one outside training, ends the process at once, as it would
/// without this handler; the checkpoint written last stays intact, since every write is atomic.
/// </summary>
internal static class StopSignals
{
    private static readonly object Gate = new();
    private static PosixSignalRegistration[]? _registrations;
    private static Trainer? _training;
    private static int _number;

    /// <summary>The signal that stopped training, e.g. "SIGINT", or null.</summary>
    public static string? Received { get; private set; }

    /// <summary>The exit code of a run stopped by <see cref="Received"/>: 128 + its number.</summary>
    public static int ExitCode => 128 + _number;

    /// <summary>While the result is not disposed, a signal stops <paramref name="trainer"/> after its current
    /// step.</summary>
    public static IDisposable StopAfterStep(Trainer trainer)
    {
        lock (Gate)
        {
            _registrations ??=
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Handle(context, "SIGINT", 2)),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Handle(context, "SIGTERM", 15)),
            ];
            _training = trainer;
        }
        return new Release();
    }

    private static void Handle(PosixSignalContext context, string name, int number)
    {
        lock (Gate)
        {
            // Outside training, or the second time: the default, which ends the process now.
            if (_training is null || Received is not null) return;
            context.Cancel = true;
            (Received, _number) = (name, number);
            _training.RequestStop();
        }
        Console.Error.WriteLine(
            $"{name}: stopping after the current step to save a checkpoint (send it again to stop at once)");
    }

    private sealed class Release : IDisposable
    {
        public void Dispose()
        {
            lock (Gate) _training = null;
        }
    }
}
