namespace GpuNet.Numerics;

/// <summary>Plain arithmetic on one row of a row-major matrix, shared by the CPU kernels and what reads their
/// outputs.</summary>
public static class Rows
{
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
