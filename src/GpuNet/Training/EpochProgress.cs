namespace GpuNet.Training;

/// <summary>
/// Where an unfinished epoch stood after a step: enough, with the weights, the optimizer's state
/// and the step count, to carry on from the next step exactly as if never stopped. The order of
/// the samples and every random draw are functions of (seed, epoch, step) and (seed, epoch,
/// sample), so the position is all the random state there is.
/// </summary>
/// <param name="Epoch">The epoch under way, counting from 1.</param>
/// <param name="StepsDone">Its steps finished, 1 … steps per epoch − 1.</param>
/// <param name="SamplesSeen">Its samples trained on so far.</param>
/// <param name="LossSum">The sum of its per-sample losses so far, as the device accumulated it.</param>
/// <param name="CorrectSum">Its correctly classified samples so far.</param>
/// <param name="GradientNormSums">Its sums of ‖∂loss/∂kernel‖² per layer so far.</param>
/// <param name="Seconds">Its time spent training so far.</param>
/// <param name="BatchSize">The batch size, which fixes what a step is.</param>
/// <param name="TrainingSamples">The training set's size, which fixes the order of the samples.</param>
public sealed record EpochProgress(int Epoch, int StepsDone, int SamplesSeen, float LossSum, float CorrectSum,
    float[] GradientNormSums, double Seconds, int BatchSize, int TrainingSamples)
{
    public int StepsPerEpoch => (int)(((long)TrainingSamples + BatchSize - 1) / BatchSize);

    /// <summary>What makes this position impossible after <paramref name="epochsFinished"/> epochs, or null: it must
    /// lie inside the next epoch.</summary>
    public string? Inconsistency(int epochsFinished)
    {
        if (Epoch != epochsFinished + 1) return $"is in epoch {Epoch} but follows epoch {epochsFinished}";
        if (BatchSize <= 0 || TrainingSamples <= 0)
            return $"has batch size {BatchSize} and {TrainingSamples} training samples";
        if (StepsDone <= 0 || StepsDone >= StepsPerEpoch || SamplesSeen != (long)StepsDone * BatchSize)
            return $"says {StepsDone} steps and {SamplesSeen} samples done, not a step inside an epoch of " +
                   $"{StepsPerEpoch}";
        bool finite = float.IsFinite(LossSum) && float.IsFinite(CorrectSum) && GradientNormSums.All(float.IsFinite);
        if (!finite || !(Seconds >= 0))
            return "holds a sum that is not a finite number";
        return null;
    }
}
