namespace GpuNet.Training;

/// <summary>Keras's ExponentialDecay schedule, per step: lr = lr₀ · rate^(step / decay_steps), floored with
/// staircase.</summary>
public sealed class ExponentialDecay : TrainingCallback
{
    private Trainer? _trainer;
    private float _initial;

    public ExponentialDecay(int decaySteps, float decayRate, bool staircase = false)
    {
        if (decaySteps <= 0)
            throw new GpuNetException($"ExponentialDecay: 'decay_steps' must be a positive integer, got {decaySteps}");
        if (!(decayRate > 0f) || !float.IsFinite(decayRate))
            throw new GpuNetException($"ExponentialDecay: 'decay_rate' must be a positive number, got {decayRate}");
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    public int DecaySteps { get; }

    public float DecayRate { get; }

    public bool Staircase { get; }

    public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch)
    {
        _trainer = trainer;
        _initial = trainer.Optimizer.LearningRate;
    }

    public override void OnBatchBegin(int epoch, int step, long iteration)
    {
        double exponent = (double)iteration / DecaySteps;
        if (Staircase) exponent = Math.Floor(exponent);
        _trainer!.Optimizer.LearningRate = (float)(_initial * Math.Pow(DecayRate, exponent));
    }
}
