using GpuNet.Data;

namespace GpuNet.Config;

/// <summary>
/// Which samples a run validates on after each epoch: the test set (the lectures' habit), none,
/// a range of the training set (train on 0:10000, validate on 50000:60000), or Keras's
/// validation_split (the last fraction of the training samples, taken before shuffling).
/// </summary>
public abstract record ValidationChoice
{
    public sealed record TestSet : ValidationChoice;

    public sealed record NoValidation : ValidationChoice;

    public sealed record TrainingRange(int Start, int End) : ValidationChoice;

    public sealed record Split(float Fraction) : ValidationChoice;

    public static ValidationChoice Default { get; } = new TestSet();

    /// <summary>The training and validation sets, given the dataset's two halves and the config's
    /// training_range.</summary>
    public (Dataset Train, Dataset? Validation) Select(Dataset train, Dataset test, (int Start, int End)? trainingRange)
    {
        Dataset trainingSet = trainingRange is { } r ? Slice(train, r.Start, r.End, "training_range") : train;
        switch (this)
        {
            case TestSet:
                return (trainingSet, test);
            case NoValidation:
                return (trainingSet, null);
            case TrainingRange range:
                return (trainingSet, Slice(train, range.Start, range.End, "validation_data"));
            case Split split:
                int held = (int)Math.Round(trainingSet.Count * split.Fraction);
                if (held <= 0 || held >= trainingSet.Count)
                    throw new GpuNetException($"validation_split {split.Fraction} of {trainingSet.Count} samples " +
                        $"leaves no training or no validation samples");
                return (trainingSet.Slice(0, trainingSet.Count - held),
                    trainingSet.Slice(trainingSet.Count - held, trainingSet.Count));
            default:
                throw new InvalidOperationException(GetType().Name);
        }
    }

    private static Dataset Slice(Dataset data, int start, int end, string key)
    {
        if (start < 0 || end > data.Count || start >= end)
            throw new GpuNetException($"{key} [{start}, {end}] does not fit the {data.Count:N0} training samples; " +
                $"expected 0 ≤ start < end ≤ {data.Count}");
        return data.Slice(start, end);
    }
}
