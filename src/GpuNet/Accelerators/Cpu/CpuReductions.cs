namespace GpuNet.Accelerators.Cpu;

/// <summary>Sums and counts that feed the metrics; serial so that the order of additions is fixed.</summary>
internal static class CpuReductions
{
    public static float Sum(ReadOnlySpan<float> values)
    {
        // Accumulate in double: an epoch's loss is a sum of 60,000 terms.
        double sum = 0;
        foreach (float v in values) sum += v;
        return (float)sum;
    }

    public static int CountCorrect(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int rows, int cols)
    {
        int correct = 0;
        for (int r = 0; r < rows; r++)
        {
            if (ArgMax(prediction.Slice(r * cols, cols)) == ArgMax(target.Slice(r * cols, cols))) correct++;
        }
        return correct;
    }

    /// <summary>The first index of the largest value, as numpy's argmax.</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best]) best = c;
        }
        return best;
    }
}
