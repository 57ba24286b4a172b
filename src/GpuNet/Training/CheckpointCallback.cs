namespace GpuNet.Training;

/// <summary>At the end of every epoch: the history files and a checkpoint, written atomically.</summary>
/// <param name="history">The history object passed to Fit, which holds earlier epochs of a resumed run too.</param>
/// <param name="others">The run's other callbacks, whose state the checkpoint keeps.</param>
public sealed class CheckpointCallback(RunFolder folder, string configText, History history, IReadOnlyList<TrainingCallback> others) : TrainingCallback
{
    private Trainer? _trainer;

    /// <summary>The last epoch saved, or the epoch a resumed run started from.</summary>
    public int LastSavedEpoch { get; private set; }

    public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch)
    {
        _trainer = trainer;
        LastSavedEpoch = initialEpoch;
    }

    public override void OnEpochEnd(EpochLogs logs)
    {
        HistoryFiles.Write(folder, history);
        Checkpoint.Save(folder, _trainer!, logs.Epoch, history, others, configText);
        LastSavedEpoch = logs.Epoch;
    }
}
