namespace GpuNet.Training;

/// <summary>The classic step schedule: lr = lr₀ · drop^⌊(epoch − 1) / epochs_drop⌋.</summary>
public sealed class StepDecay : TrainingCallback
{
    private Trainer? _trainer;
    private float _initial;

    public StepDecay(float drop = 0.5f, int epochsDrop = 10)
    {
        if (!(drop > 0f) || !float.IsFinite(drop))
            throw new GpuNetException($"StepDecay: 'drop' must be a positive number, got {drop}");
        if (epochsDrop <= 0)
            throw new GpuNetException($"StepDecay: 'epochs_drop' must be a positive integer, got {epochsDrop}");
        Drop = drop;
        EpochsDrop = epochsDrop;
    }

    public float Drop { get; }

    public int EpochsDrop { get; }

    public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch)
    {
        _trainer = trainer;
        _initial = trainer.Optimizer.LearningRate;
    }

    public override void OnEpochBegin(int epoch) =>
        _trainer!.Optimizer.LearningRate = (float)(_initial * Math.Pow(Drop, (epoch - 1) / EpochsDrop));
}
