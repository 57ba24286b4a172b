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

    /// <summary>
    /// A plane whose rows lie apart, as in the direct convolution's wide dy, sums to the packed plane's <see
    /// cref="FastChannelBias.SumInDouble"/> bit for bit, whichever rows its vectors straddle. The values span
    /// sixty binary orders of magnitude, so the double sums round and another grouping of them would show; the gaps
    /// hold NaN, so a value read from one would too.
    /// </summary>
    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(5, 3, 4)]
    [InlineData(8, 4, 4)]
    [InlineData(13, 13, 2)]
    [InlineData(24, 24, 4)]
    [InlineData(26, 26, 2)]
    [InlineData(9, 7, 0)]
    public unsafe void Sum_of_rows_apart_is_the_packed_planes_sum_bit_for_bit(int width, int height, int gap)
    {
        var random = new System.Random(44);
        float[] packed = new float[width * height];
        for (int i = 0; i < packed.Length; i++)
            packed[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 31)));
        int stride = width + gap;
        // Room past the last row for the reads that straddle into a next row that is not there.
        float[] rows = Enumerable.Repeat(float.NaN, stride * height + 8).ToArray();
        for (int r = 0; r < height; r++) Array.Copy(packed, r * width, rows, r * stride, width);

        double expected = FastChannelBias.SumInDouble(packed), actual;
        fixed (float* start = rows) actual = FastChannelBias.SumRowsInDouble(start, stride, width, height);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
    }
}
