using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Ilgpu;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The vectorised average and L2 pooling against the reference <see cref="ReferencePooling"/>, forward
/// and backward, bit for bit: each lane adds its window's elements in the reference's order.
/// </summary>
public sealed class FastSumPoolingTests
{
    // batch, channels, height, width, window height, window width, stride, 'same': 2×2 over rows
    // of 12, 13 (one left over) and 33 windows; 3×3 at stride 3 and at stride 1 (overlapping
    // windows: the backward is the reference's), padded windows at both borders, a window wider
    // than it is high, a plane narrower than a vector.
    public static TheoryData<int, int, int, int, int, int, int, bool> Shapes => new()
    {
        { 3, 2, 24, 24, 2, 2, 2, false },
        { 2, 3, 26, 26, 2, 2, 2, false },
        { 2, 2, 11, 66, 2, 2, 2, false },
        { 2, 2, 27, 27, 3, 3, 3, false },
        { 2, 2, 20, 21, 3, 3, 1, false },
        { 2, 3, 25, 37, 3, 3, 3, true },
        { 2, 2, 17, 50, 2, 2, 2, true },
        { 1, 2, 9, 40, 2, 4, 4, false },
        { 2, 2, 5, 6, 2, 2, 2, false },
    };

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Forward_is_the_reference_bit_for_bit(int batch, int channels, int height, int width, int kh, int kw,
        int stride, bool same)
    {
        Skip.IfNot(FastSumPooling.IsVectorised, "No AVX2 here: average and L2 pooling run the reference itself.");
        Window2D g = KernelParity.Window(batch, channels, height, width, kh, kw, stride, same);
        float[] x = FastKernelInputs.Values(80, g.InputLength);
        int outputs = batch * channels * g.OutputPlane;
        float[] expected = new float[outputs], actual = FastKernelInputs.Values(81, outputs);
        ReferencePooling.AverageForward(x, g, expected);
        FastSumPooling.AverageForward(x, g, actual);
        FastKernelInputs.AssertIdentical(expected, actual, "average");
        ReferencePooling.L2Forward(x, g, expected);
        FastSumPooling.L2Forward(x, g, actual);
        FastKernelInputs.AssertIdentical(expected, actual, "L2");
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Backward_is_the_reference_bit_for_bit(int batch, int channels, int height, int width, int kh, int kw,
        int stride, bool same)
    {
        Skip.IfNot(FastSumPooling.IsVectorised, "No AVX2 here: average and L2 pooling run the reference itself.");
        Window2D g = KernelParity.Window(batch, channels, height, width, kh, kw, stride, same);
        float[] x = FastKernelInputs.Values(82, g.InputLength);
        // A window of zeros, whose L2 output is 0 and passes no gradient.
        Array.Clear(x, 0, g.Width * kh);
        int outputs = batch * channels * g.OutputPlane;
        float[] y = new float[outputs], dy = FastKernelInputs.Values(83, outputs);
        ReferencePooling.L2Forward(x, g, y);
        Assert.Contains(0f, y);
        // Gradients accumulate: both start from the same values.
        float[] start = FastKernelInputs.Values(84, g.InputLength);
        float[] expected = (float[])start.Clone(), actual = (float[])start.Clone();
        ReferencePooling.AverageBackward(dy, g, expected);
        FastSumPooling.AverageBackward(dy, g, actual);
        FastKernelInputs.AssertIdentical(expected, actual, "average dx");
        (expected, actual) = ((float[])start.Clone(), (float[])start.Clone());
        ReferencePooling.L2Backward(x, y, dy, g, expected);
        FastSumPooling.L2Backward(x, y, dy, g, actual);
        FastKernelInputs.AssertIdentical(expected, actual, "L2 dx");
    }

    [Theory]
    [InlineData(2, 2, true)]
    [InlineData(3, 3, true)]
    [InlineData(3, 1, false)]
    [InlineData(2, 4, false)]
    public void The_backward_is_vectorised_where_windows_tile_the_rows(int kw, int stride, bool tiles) =>
        Assert.Equal(tiles, FastSumPooling.RowsTile(KernelParity.Window(1, 1, 12, 12, 2, kw, stride, false)));
}
