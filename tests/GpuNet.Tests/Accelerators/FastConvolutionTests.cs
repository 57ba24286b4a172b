using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The chunked CPU convolution against the plain batched form it replaces — im2col, the reference
/// GEMM, the axis swap, the per-channel bias and col2im of <see cref="CpuConvolution"/> and
/// <see cref="CpuGemm"/> — on odd geometries, and its results for any thread count.
/// </summary>
public sealed class FastConvolutionTests
{
    // batch, channels, height, width, kernel, stride, pad, filters: 1×1 images, strides, padding,
    // more filters than output positions, a batch that fills no chunk evenly, the lecture's layers.
    public static TheoryData<int, int, int, int, int, int, int, int> Geometries => new()
    {
        { 1, 1, 5, 5, 3, 1, 0, 1 },
        { 3, 2, 7, 6, 3, 2, 1, 5 },
        { 7, 3, 9, 9, 5, 1, 2, 4 },
        { 2, 4, 3, 3, 3, 1, 1, 64 },
        { 13, 1, 28, 28, 5, 1, 0, 16 },
        { 37, 20, 12, 12, 5, 1, 0, 40 },
        { 5, 3, 10, 11, 2, 3, 1, 7 },
    };

    private static readonly Tolerance Sums = new(2e-3, 1e-4);

    private static Window2D Window(int batch, int channels, int height, int width, int kernel, int stride, int pad) =>
        new(batch, channels, height, width, kernel, kernel, stride, stride, pad, pad,
            (height + 2 * pad - kernel) / stride + 1, (width + 2 * pad - kernel) / stride + 1);

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Forward_matches_the_batched_reference(int batch, int channels, int height, int width, int kernel, int stride, int pad, int filters)
    {
        foreach (bool chunked in new[] { false, true }) Forward(chunked, batch, channels, height, width, kernel, stride, pad, filters);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Backward_matches_the_batched_reference(int batch, int channels, int height, int width, int kernel, int stride, int pad, int filters)
    {
        foreach (bool chunked in new[] { false, true }) Backward(chunked, batch, channels, height, width, kernel, stride, pad, filters);
    }

    private static void Forward(bool chunked, int batch, int channels, int height, int width, int kernel, int stride, int pad, int filters)
    {
        Window2D g = Window(batch, channels, height, width, kernel, stride, pad);
        float[] x = FastKernelInputs.Values(1, g.InputLength), w = FastKernelInputs.Values(2, filters * g.PatchSize), bias = FastKernelInputs.Values(3, filters);
        float[] col = new float[g.PatchSize * g.PatchCount], filterMajor = new float[filters * g.PatchCount], expected = new float[batch * filters * g.OutputPlane];
        CpuConvolution.Im2Col(x, g, col);
        CpuGemm.Multiply(false, false, w, col, filters, g.PatchCount, g.PatchSize, 1f, 0f, filterMajor);
        CpuConvolution.SwapLeadingAxes(filterMajor, filters, batch, g.OutputPlane, expected);
        CpuConvolution.AddChannelBias(bias, batch, filters, g.OutputPlane, expected);

        float[] actual = new float[expected.Length];
        if (chunked) CpuFastConvolution.ChunkedForward(x, w, bias, g, filters, actual);
        else CpuFastConvolution.BatchedForward(x, w, bias, g, filters, new float[col.Length], new float[filterMajor.Length], actual);

        // The GEMMs sum the same products in another order: float32 rounding of sums of up to 500 terms.
        Sums.AssertClose(actual, expected, "y");
    }

    private static void Backward(bool chunked, int batch, int channels, int height, int width, int kernel, int stride, int pad, int filters)
    {
        Window2D g = Window(batch, channels, height, width, kernel, stride, pad);
        float[] x = FastKernelInputs.Values(4, g.InputLength), w = FastKernelInputs.Values(5, filters * g.PatchSize);
        float[] dy = FastKernelInputs.Values(6, batch * filters * g.OutputPlane);
        // Gradients accumulate: both start from the same non-zero values.
        float[] dKernel0 = FastKernelInputs.Values(7, w.Length), dBias0 = FastKernelInputs.Values(8, filters), dx0 = FastKernelInputs.Values(9, x.Length);

        float[] col = new float[g.PatchSize * g.PatchCount], dyFilterMajor = new float[filters * g.PatchCount];
        float[] dKernel = (float[])dKernel0.Clone(), dBias = (float[])dBias0.Clone(), dx = (float[])dx0.Clone();
        CpuConvolution.Im2Col(x, g, col);
        CpuConvolution.ChannelBiasGradient(dy, batch, filters, g.OutputPlane, dBias);
        CpuConvolution.SwapLeadingAxes(dy, batch, filters, g.OutputPlane, dyFilterMajor);
        CpuGemm.Multiply(false, true, dyFilterMajor, col, filters, g.PatchSize, g.PatchCount, 1f, 1f, dKernel);
        CpuGemm.Multiply(true, false, w, dyFilterMajor, g.PatchSize, g.PatchCount, filters, 1f, 0f, col);
        CpuConvolution.Col2Im(col, g, dx);

        float[] fastKernel = (float[])dKernel0.Clone(), fastBias = (float[])dBias0.Clone(), fastDx = (float[])dx0.Clone();
        void Run(float[] k, float[]? b, float[]? d)
        {
            if (chunked)
            {
                CpuFastConvolution.ChunkedBackward(x, w, dy, g, filters, k, b, d);
                return;
            }
            // The batched backward reads the forward's patches from col.
            float[] ownCol = new float[col.Length], y = new float[dy.Length];
            CpuFastConvolution.BatchedForward(x, w, null, g, filters, ownCol, new float[dyFilterMajor.Length], y);
            CpuFastConvolution.BatchedBackward(x, w, dy, g, filters, ownCol, new float[dyFilterMajor.Length], k, b, d);
        }
        Run(fastKernel, fastBias, fastDx);

        Sums.AssertClose(fastKernel, dKernel, "dKernel");
        Sums.AssertClose(fastBias, dBias, "dBias");
        Sums.AssertClose(fastDx, dx, "dx");

        // Without dx (the data input) only the parameter gradients move.
        float[] onlyKernel = (float[])dKernel0.Clone();
        Run(onlyKernel, null, null);
        FastKernelInputs.AssertIdentical(fastKernel, onlyKernel, "dKernel without dx");
    }

    [Fact]
    public void Results_are_the_same_bits_for_one_two_and_three_threads()
    {
        Window2D g = Window(37, 20, 12, 12, 5, 1, 0);
        const int filters = 40;
        float[] x = FastKernelInputs.Values(10, g.InputLength), w = FastKernelInputs.Values(11, filters * g.PatchSize);
        float[] dy = FastKernelInputs.Values(12, g.Batch * filters * g.OutputPlane);
        (float[] Y, float[] DKernel, float[] Dx) Run(int threads)
        {
            int saved = CpuParallel.ThreadCount;
            try
            {
                CpuParallel.ThreadCount = threads;
                float[] y = new float[dy.Length], dKernel = new float[w.Length], dx = new float[x.Length];
                CpuFastConvolution.ChunkedForward(x, w, null, g, filters, y);
                CpuFastConvolution.ChunkedBackward(x, w, dy, g, filters, dKernel, null, dx);
                return (y, dKernel, dx);
            }
            finally
            {
                CpuParallel.ThreadCount = saved;
            }
        }

        var one = Run(1);
        Assert.True(CpuFastConvolution.ImagesPerChunk(g) < g.Batch, "the geometry must split into several chunks");
        foreach (int threads in new[] { 2, 3 })
        {
            var other = Run(threads);
            FastKernelInputs.AssertIdentical(one.Y, other.Y, $"y, {threads} threads");
            FastKernelInputs.AssertIdentical(one.DKernel, other.DKernel, $"dKernel, {threads} threads");
            FastKernelInputs.AssertIdentical(one.Dx, other.Dx, $"dx, {threads} threads");
        }
    }
}
