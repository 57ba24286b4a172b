using GpuNet.Numerics;

namespace GpuNet.Reports;

/// <summary>Reading a model's output row as class probabilities.</summary>
public static class RankedClasses
{
    /// <summary>The two classes with the largest outputs, largest first.</summary>
    public static ((int Class, float Value) First, (int Class, float Value) Second) TopTwo(ReadOnlySpan<float> row)
    {
        if (row.Length < 2) throw new ArgumentException($"two classes needed, got {row.Length}", nameof(row));
        int first = Rows.ArgMax(row);
        int second = first == 0 ? 1 : 0;
        for (int c = 0; c < row.Length; c++)
            if (c != first && row[c] > row[second]) second = c;
        return ((first, row[first]), (second, row[second]));
    }
}
