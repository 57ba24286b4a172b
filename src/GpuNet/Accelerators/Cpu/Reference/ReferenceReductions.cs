using GpuNet.Numerics;

namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>Sums and counts that feed the metrics; serial so that the order of additions is fixed.</summary>
internal static class ReferenceReductions
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
            if (Rows.ArgMax(prediction.Slice(r * cols, cols)) == Rows.ArgMax(target.Slice(r * cols, cols))) correct++;
        }
        return correct;
    }
}
