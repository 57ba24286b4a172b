namespace GpuNet.Reports;

/// <summary>
/// A test sample the model got wrong, with the two classes it rated highest: the lectures read a
/// softmax output as probabilities, so "5→6, 6: 0.71, 5: 0.22" says how sure the mistake was.
/// </summary>
public sealed record Misclassification(int Index, int Label, int Predicted, float PredictedProbability, int RunnerUp,
    float RunnerUpProbability)
{
    /// <summary>The first <paramref name="limit"/> wrongly classified samples, in dataset order.</summary>
    /// <param name="outputs">The model's outputs, [labels.Length, classes] row-major.</param>
    public static IReadOnlyList<Misclassification> FirstOf(ReadOnlySpan<float> outputs, ReadOnlySpan<byte> labels,
        int classes, int limit)
    {
        if (outputs.Length != labels.Length * classes)
            throw new ArgumentException($"{labels.Length} samples of {classes} classes need " +
                $"{labels.Length * classes} outputs, got {outputs.Length}", nameof(outputs));
        var wrong = new List<Misclassification>();
        for (int i = 0; i < labels.Length && wrong.Count < limit; i++)
        {
            var (first, second) = RankedClasses.TopTwo(outputs.Slice(i * classes, classes));
            if (first.Class != labels[i])
                wrong.Add(new Misclassification(i, labels[i], first.Class, first.Value, second.Class, second.Value));
        }
        return wrong;
    }
}
