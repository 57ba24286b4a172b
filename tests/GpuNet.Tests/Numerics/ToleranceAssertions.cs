using GpuNet.Diagnostics;

namespace GpuNet.Tests.Numerics;

public static class ToleranceAssertions
{
    /// <summary>Fails with the first element out of tolerance, its index and both values.</summary>
    public static void AssertClose(this Tolerance tolerance, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected,
        string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int i = tolerance.FirstMismatch(actual, expected);
        if (i >= 0)
            Assert.Fail($"{what}[{i}]: got {actual[i]:R}, expected " +
                $"{expected[i]:R} (atol {tolerance.Absolute}, rtol {tolerance.Relative})");
    }
}
