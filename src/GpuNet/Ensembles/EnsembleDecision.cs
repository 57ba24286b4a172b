using GpuNet.Numerics;

namespace GpuNet.Ensembles;

/// <summary>Combines the outputs of several networks on the same samples into one prediction per sample.</summary>
public static class EnsembleDecision
{
    /// <param name="memberOutputs">Each member's outputs, [samples, classes] row-major, all for the same samples in the
    /// same order.</param>
    /// <returns>The chosen class of each sample.</returns>
    public static int[] Predict(IReadOnlyList<float[]> memberOutputs, int classes, EnsembleVote vote)
    {
        if (memberOutputs.Count == 0)
            throw new ArgumentException("an ensemble needs at least one member", nameof(memberOutputs));
        int length = memberOutputs[0].Length;
        if (length % classes != 0 || memberOutputs.Any(o => o.Length != length))
            throw new ArgumentException($"every member needs the same [samples, {classes}] outputs",
                nameof(memberOutputs));
        float[] mean = MeanOutputs(memberOutputs);
        int samples = length / classes;
        var predictions = new int[samples];
        Span<int> votes = stackalloc int[classes];
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> meanRow = mean.AsSpan(s * classes, classes);
            if (vote == EnsembleVote.Mean)
            {
                predictions[s] = Rows.ArgMax(meanRow);
                continue;
            }
            votes.Clear();
            foreach (float[] member in memberOutputs) votes[Rows.ArgMax(member.AsSpan(s * classes, classes))]++;
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (votes[c] > votes[best] || (votes[c] == votes[best] && meanRow[c] > meanRow[best])) best = c;
            predictions[s] = best;
        }
        return predictions;
    }

    /// <summary>The element-wise mean of the members' outputs (also what test-time augmentation averages).</summary>
    public static float[] MeanOutputs(IReadOnlyList<float[]> outputs)
    {
        var mean = new float[outputs[0].Length];
        foreach (float[] o in outputs)
            for (int i = 0; i < mean.Length; i++) mean[i] += o[i];
        for (int i = 0; i < mean.Length; i++) mean[i] /= outputs.Count;
        return mean;
    }

    /// <summary>The share of <paramref name="predictions"/> equal to <paramref name="labels"/>.</summary>
    public static float Accuracy(ReadOnlySpan<int> predictions, ReadOnlySpan<byte> labels)
    {
        if (predictions.Length != labels.Length)
            throw new ArgumentException($"{predictions.Length} predictions for {labels.Length} labels",
                nameof(predictions));
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if (predictions[i] == labels[i]) correct++;
        return labels.Length == 0 ? 0 : correct / (float)labels.Length;
    }

    /// <summary>Each sample's most likely class under one network's outputs.</summary>
    public static int[] ArgMaxRows(ReadOnlySpan<float> outputs, int classes)
    {
        var predictions = new int[outputs.Length / classes];
        for (int s = 0; s < predictions.Length; s++) predictions[s] = Rows.ArgMax(outputs.Slice(s * classes, classes));
        return predictions;
    }
}
