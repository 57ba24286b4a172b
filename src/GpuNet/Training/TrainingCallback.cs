namespace GpuNet.Training;

/// <summary>Hooks into the training loop (progress display, early stopping, checkpoints).</summary>
public abstract class TrainingCallback
{
    public virtual void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) { }

    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>After each step; <paramref name="loss"/> and <paramref name="accuracy"/> are the epoch's running means.</summary>
    public virtual void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy) { }

    public virtual void OnEpochEnd(EpochLogs logs) { }

    public virtual void OnTrainEnd(History history) { }
}
