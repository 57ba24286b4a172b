using System.Diagnostics;

namespace GpuNet.Training;

/// <summary>
/// At the end of every epoch: the history files and a checkpoint, written atomically. In the middle
/// of an epoch: a checkpoint of the step after which a requested stop ends training
/// (<see cref="Trainer.RequestStop"/>), and, with a <see cref="CheckpointSchedule"/>, every N steps or M minutes.
/// </summary>
/// <param name="history">The history object passed to Fit, which holds earlier epochs of a resumed run too.</param>
/// <param name="others">The run's other callbacks, whose state the checkpoint keeps.</param>
/// <param name="schedule">Checkpoints between the ends of epochs, or null for none but a stop's.</param>
public sealed class CheckpointCallback(RunFolder folder, string configText, History history,
    IReadOnlyList<TrainingCallback> others, CheckpointSchedule? schedule = null) : TrainingCallback
{
    private readonly Stopwatch _sinceSave = new();
    private Trainer? _trainer;

    /// <summary>The last epoch saved, or the epoch a resumed run started from.</summary>
    public int LastSavedEpoch { get; private set; }

    /// <summary>The position of the last checkpoint saved in the middle of an epoch, if the last one was.</summary>
    public EpochProgress? LastSavedProgress { get; private set; }

    public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch)
    {
        _trainer = trainer;
        LastSavedEpoch = initialEpoch;
        LastSavedProgress = null;
        _sinceSave.Restart();
    }

    public override void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy)
    {
        // The last step of an epoch is saved at the epoch's end, with its validation.
        if (step == stepsPerEpoch) return;
        Trainer trainer = _trainer!;
        if (!trainer.StoppingAfterThisStep && schedule?.IsDue(trainer.Iterations, _sinceSave.Elapsed) != true) return;
        EpochProgress progress = trainer.CaptureProgress();
        Checkpoint.Save(folder, trainer, epoch - 1, history, others, configText, progress);
        LastSavedProgress = progress;
        _sinceSave.Restart();
    }

    public override void OnEpochEnd(EpochLogs logs)
    {
        HistoryFiles.Write(folder, history);
        Checkpoint.Save(folder, _trainer!, logs.Epoch, history, others, configText);
        LastSavedEpoch = logs.Epoch;
        LastSavedProgress = null;
        _sinceSave.Restart();
    }
}
