using System.Text.Json.Nodes;

namespace GpuNet.Training;

/// <summary>Hooks into the training loop (progress display, early stopping, schedules, checkpoints).</summary>
public abstract class TrainingCallback
{
    /// <param name="initialEpoch">Epochs already done (non-zero when a run resumes).</param>
    public virtual void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch) { }

    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>Before each step; <paramref name="iteration"/> counts the steps already taken in the whole
    /// run.</summary>
    public virtual void OnBatchBegin(int epoch, int step, long iteration) { }

    /// <summary>After each step; <paramref name="loss"/> and <paramref name="accuracy"/> are the epoch's running
    /// means.</summary>
    public virtual void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy) { }

    public virtual void OnEpochEnd(EpochLogs logs) { }

    public virtual void OnTrainEnd(History history) { }

    /// <summary>State a resumed run needs to carry on exactly (e.g. early stopping's best value), or null.</summary>
    public virtual JsonObject? SaveState() => null;

    public virtual void LoadState(JsonObject state) { }

    /// <summary>Tensors this callback keeps across a resume (early stopping's best weights); names are its
    /// own.</summary>
    public virtual IReadOnlyList<Serialization.NamedTensor> SaveTensors() => [];

    public virtual void LoadTensors(IReadOnlyDictionary<string, Serialization.NamedTensor> tensors) { }

    /// <summary>The key of this callback's state in a checkpoint.</summary>
    public virtual string StateKey => GetType().Name;
}
