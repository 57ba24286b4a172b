namespace GpuNet.Diagnostics;

/// <summary>
/// |actual − expected| ≤ atol + rtol·|expected|: the comparison every numeric check uses, in the
/// tests and in <c>gpunet doctor</c>.
/// </summary>
public readonly record struct Tolerance(double Absolute, double Relative)
{
    public bool Accepts(double actual, double expected) =>
        Math.Abs(actual - expected) <= Absolute + Relative * Math.Abs(expected);

    /// <summary>The first index where <paramref name="actual"/> is not within the tolerance of <paramref
    /// name="expected"/>, or −1.</summary>
    public int FirstMismatch(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length) return Math.Min(actual.Length, expected.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!Accepts(actual[i], expected[i])) return i;
        return -1;
    }
}
