using GpuNet.Diagnostics;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Numerics;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>A convolution's per-channel bias kernels against the plain references in ReferenceConvolution.</summary>
public sealed class FastChannelBiasTests
{
    /// <summary>
    /// The gradient sums in double in another order than the reference, then rounds to float: the
    /// two differ by at most the float rounding of nearly the same double.
    /// </summary>
    private static readonly Tolerance ReorderedDoubleSum = new(1e-6, 1e-6);

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 10)]
    [InlineData(2, 5, 31)]
    [InlineData(120, 16, 576)]
    [InlineData(3, 7, 785)]
    public void Bias_add_is_exact_and_gradient_within_a_rounding(int batch, int channels, int spatial)
    {
        int length = batch * channels * spatial;
        float[] bias = FastKernelInputs.Values(40, channels), dy = FastKernelInputs.Values(41, length);
        float[] expected = FastKernelInputs.Values(42, length), actual = (float[])expected.Clone();
        ReferenceConvolution.AddChannelBias(bias, batch, channels, spatial, expected);
        FastChannelBias.Add(bias, batch, channels, spatial, actual);
        FastKernelInputs.AssertIdentical(expected, actual, "channel bias add");

        float[] expectedGradient = (float[])bias.Clone(), actualGradient = (float[])bias.Clone();
        ReferenceConvolution.ChannelBiasGradient(dy, batch, channels, spatial, expectedGradient);
        FastChannelBias.Gradient(dy, batch, channels, spatial, actualGradient);
        ReorderedDoubleSum.AssertClose(actualGradient, expectedGradient, "channel bias gradient");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(31)]
    [InlineData(100_003)]
    public void Sum_in_double_is_the_plain_sum_to_double_precision(int length)
    {
        float[] values = FastKernelInputs.Values(43, length);
        double expected = 0;
        foreach (float v in values) expected += v;
        double actual = FastChannelBias.SumInDouble(values);
        Assert.True(Math.Abs(actual - expected) <= 1e-12 * (1 + length), $"got {actual:R}, expected {expected:R}");
    }
}
