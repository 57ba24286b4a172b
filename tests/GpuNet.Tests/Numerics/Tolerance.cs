namespace GpuNet.Tests.Numerics;

/// <summary>|actual − expected| ≤ atol + rtol·|expected|, the comparison every numeric test uses.</summary>
public readonly record struct Tolerance(double Absolute, double Relative)
{
    public bool Accepts(double actual, double expected) =>
        Math.Abs(actual - expected) <= Absolute + Relative * Math.Abs(expected);

    public void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!Accepts(actual[i], expected[i]))
                Assert.Fail($"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R} (atol {Absolute}, rtol {Relative})");
        }
    }
}
