using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Numerics;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The implicit-GEMM CPU convolution against the plain batched form — im2col, the reference GEMM,
/// the axis swap, the per-channel bias and col2im of <see cref="ReferenceConvolution"/> and
/// <see cref="ReferenceGemm"/> — on odd geometries, and its results for any thread count.
/// </summary>
[Collection(CpuThreadCountCollection.Name)]
public sealed class FastConvolutionTests
{
    // batch, channels, height, width, kernel, stride, pad, filters: 1×1 outputs, strides with
    // padding, more filters than output positions, filters and patches that fill no tile evenly,
    // output rows shorter and longer than a tile, channels-last rows longer than a tile with padding,
    // the lecture's layers; on AVX2 the stride-1 layers of up to four channels take the direct form
    // (FastDirectConvolution), among them filters that fill no block of four and rows that fill no vector;
    // unpadded layers whose channels come in sixteens, at strides 1 and 2, read their patch rows in place
    // for the kernel gradient there and make their input gradient channels-last (ChannelsLastInputGradient),
    // among them planes of 12 and 10 positions (two tiles of six, and one and two thirds) and 5 or 3 filters.
    private static readonly object[][] Shapes =
    [
        [1, 1, 5, 5, 3, 1, 0, 1],
        [1, 2, 3, 3, 3, 1, 0, 3],
        [3, 2, 7, 6, 3, 2, 1, 5],
        [7, 3, 9, 9, 5, 1, 2, 4],
        [2, 4, 3, 3, 3, 1, 1, 64],
        [13, 1, 28, 28, 5, 1, 0, 16],
        [37, 20, 12, 12, 5, 1, 0, 40],
        [5, 3, 10, 11, 2, 3, 1, 7],
        [3, 33, 7, 9, 3, 1, 1, 13],
        [2, 1, 40, 41, 3, 1, 1, 32],
        [17, 32, 12, 12, 5, 1, 0, 32],
        [4, 3, 11, 13, 3, 1, 1, 6],
        [3, 1, 9, 30, 4, 1, 0, 9],
        [5, 16, 9, 11, 3, 2, 0, 7],
        [3, 48, 6, 7, 2, 1, 0, 13],
        [6, 64, 5, 6, 3, 1, 0, 5],
        [2, 16, 8, 5, 4, 1, 0, 3],
    ];

    /// <summary>Each geometry on each micro-kernel: the tiles, the gathers and the pooling of its vector
    /// width.</summary>
    public static IEnumerable<object[]> Geometries => VectorPaths.Cross(VectorPaths.Kinds, Shapes);

    private static readonly Tolerance Sums = new(2e-3, 1e-4);

    private static Window2D Window(int batch, int channels, int height, int width, int kernel, int stride, int pad) =>
        new(batch, channels, height, width, kernel, kernel, stride, stride, pad, pad,
            (height + 2 * pad - kernel) / stride + 1, (width + 2 * pad - kernel) / stride + 1);

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void Forward_matches_the_batched_reference(GemmKernelKind kind, int batch, int channels, int height,
        int width, int kernel, int stride, int pad, int filters)
    {
        VectorPaths.SkipUnlessSupported(kind);
        Window2D g = Window(batch, channels, height, width, kernel, stride, pad);
        float[] x = FastKernelInputs.Values(1, g.InputLength), w = FastKernelInputs.Values(2, filters * g.PatchSize),
            bias = FastKernelInputs.Values(3, filters);
        float[] col = new float[g.PatchSize * g.PatchCount], filterMajor = new float[filters * g.PatchCount],
            expected = new float[batch * filters * g.OutputPlane];
        ReferenceConvolution.Im2Col(x, g, col);
        ReferenceGemm.Multiply(false, false, w, col, filters, g.PatchCount, g.PatchSize, 1f, 0f, filterMajor);
        ReferenceConvolution.SwapLeadingAxes(filterMajor, filters, batch, g.OutputPlane, expected);
        ReferenceConvolution.AddChannelBias(bias, batch, filters, g.OutputPlane, expected);

        // Whatever y held before is overwritten.
        float[] actual = FastKernelInputs.Values(4, expected.Length);
        FastConvolution.Forward(x, w, bias, g, filters, actual, kind);
        // The tiles sum the same products in another order: float32 rounding of sums of up to 800 terms.
        Sums.AssertClose(actual, expected, "y");

        float[] withoutBias = new float[expected.Length];
        FastConvolution.Forward(x, w, null, g, filters, withoutBias, kind);
        for (int n = 0; n < batch; n++)
            for (int f = 0; f < filters; f++)
                for (int p = 0; p < g.OutputPlane; p++)
                {
                    int at = (n * filters + f) * g.OutputPlane + p;
                    Assert.Equal(actual[at], withoutBias[at] + bias[f], 1e-5f * (1 + Math.Abs(actual[at])));
                }
    }

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void Backward_matches_the_batched_reference(GemmKernelKind kind, int batch, int channels, int height,
        int width, int kernel, int stride, int pad, int filters)
    {
        VectorPaths.SkipUnlessSupported(kind);
        Window2D g = Window(batch, channels, height, width, kernel, stride, pad);
        float[] x = FastKernelInputs.Values(5, g.InputLength), w = FastKernelInputs.Values(6, filters * g.PatchSize);
        float[] dy = FastKernelInputs.Values(7, batch * filters * g.OutputPlane);
        // Gradients accumulate: both start from the same non-zero values.
        float[] dKernel0 = FastKernelInputs.Values(8, w.Length), dx0 = FastKernelInputs.Values(9, x.Length);

        float[] col = new float[g.PatchSize * g.PatchCount], dyFilterMajor = new float[filters * g.PatchCount];
        float[] dKernel = (float[])dKernel0.Clone(), dx = (float[])dx0.Clone();
        ReferenceConvolution.Im2Col(x, g, col);
        ReferenceConvolution.SwapLeadingAxes(dy, batch, filters, g.OutputPlane, dyFilterMajor);
        ReferenceGemm.Multiply(false, true, dyFilterMajor, col, filters, g.PatchSize, g.PatchCount, 1f, 1f, dKernel);
        ReferenceGemm.Multiply(true, false, w, dyFilterMajor, g.PatchSize, g.PatchCount, filters, 1f, 0f, col);
        ReferenceConvolution.Col2Im(col, g, dx);

        float[] tiledKernel = (float[])dKernel0.Clone(), tiledDx = (float[])dx0.Clone();
        FastConvolution.BackwardKernel(x, dy, g, filters, tiledKernel, kind: kind);
        FastConvolution.BackwardData(w, dy, g, filters, tiledDx, kind: kind);
        Sums.AssertClose(tiledKernel, dKernel, "dKernel");
        Sums.AssertClose(tiledDx, dx, "dx");
    }

    /// <summary>Which layers take the 256-bit special forms, on each vector path: form ("direct" for <see
    /// cref="FastDirectConvolution"/>, "channels-last" for <see cref="ChannelsLastInputGradient"/>, "sparse" for <see
    /// cref="SparsePooledGradient"/>), batch, channels, size, kernel, stride, pad, vector path, and whether it takes
    /// that form.</summary>
    public static TheoryData<string, int, int, int, int, int, int, GemmKernelKind, bool> SpecialForms => new()
    {
        // The lecture's first layers (one channel, stride 1) go straight from the pixels; deeper or strided ones do
        // not, nor on the AVX-512 path a 5 × 5 patch, which fills its tiles.
        { "direct", 120, 1, 28, 5, 1, 0, GemmKernelKind.Vector256, true },
        { "direct", 64, 1, 28, 3, 1, 0, GemmKernelKind.Vector256, true },
        { "direct", 120, 32, 12, 5, 1, 0, GemmKernelKind.Vector256, false },
        { "direct", 3, 2, 7, 3, 2, 1, GemmKernelKind.Vector256, false },
        { "direct", 120, 1, 28, 5, 1, 0, GemmKernelKind.Vector512, false },
        { "direct", 64, 1, 28, 3, 1, 0, GemmKernelKind.Vector512, true },
        { "direct", 64, 2, 28, 3, 1, 0, GemmKernelKind.Vector512, false },
        // The two-block CNN's second convolution and Chollet's second and third make their input gradient
        // channels-last on either path; channels not in sixteens and padding keep col2im. The AVX-512 path takes the
        // dense channels-last tiles only for planes smaller than its 32-position tiles (Chollet's third: 3 × 3): its
        // larger planes take the form for sparse images alone, the others keeping col2im.
        { "channels-last", 120, 32, 12, 5, 1, 0, GemmKernelKind.Vector256, true },
        { "channels-last", 64, 32, 13, 3, 1, 0, GemmKernelKind.Vector256, true },
        { "channels-last", 64, 64, 5, 3, 1, 0, GemmKernelKind.Vector256, true },
        { "channels-last", 120, 20, 12, 5, 1, 0, GemmKernelKind.Vector256, false },
        { "channels-last", 120, 32, 12, 5, 1, 2, GemmKernelKind.Vector256, false },
        { "channels-last", 120, 32, 12, 5, 1, 0, GemmKernelKind.Vector512, true },
        { "channels-last", 64, 32, 13, 3, 1, 0, GemmKernelKind.Vector512, true },
        { "channels-last", 64, 64, 5, 3, 1, 0, GemmKernelKind.Vector512, true },
        { "channels-last", 64, 64, 5, 3, 1, 1, GemmKernelKind.Vector512, false },
        { "dense channels-last", 120, 32, 12, 5, 1, 0, GemmKernelKind.Vector256, true },
        { "dense channels-last", 64, 32, 13, 3, 1, 0, GemmKernelKind.Vector256, true },
        { "dense channels-last", 120, 32, 12, 5, 1, 0, GemmKernelKind.Vector512, false },
        { "dense channels-last", 64, 32, 13, 3, 1, 0, GemmKernelKind.Vector512, false },
        { "dense channels-last", 64, 64, 5, 3, 1, 0, GemmKernelKind.Vector512, true },
        // Behind a max pooling, the same two second layers take their kernel gradient from dy's nonzero values, on
        // either path; channels not in eights and padding keep the dense tiles.
        { "sparse", 120, 32, 12, 5, 1, 0, GemmKernelKind.Vector256, true },
        { "sparse", 64, 32, 13, 3, 1, 0, GemmKernelKind.Vector256, true },
        { "sparse", 120, 20, 12, 5, 1, 0, GemmKernelKind.Vector256, false },
        { "sparse", 120, 32, 12, 5, 1, 2, GemmKernelKind.Vector256, false },
        { "sparse", 120, 32, 12, 5, 1, 0, GemmKernelKind.Vector512, true },
        { "sparse", 64, 32, 13, 3, 1, 0, GemmKernelKind.Vector512, true },
        { "sparse", 120, 20, 12, 5, 1, 0, GemmKernelKind.Vector512, false },
    };

    [Theory]
    [MemberData(nameof(SpecialForms))]
    public void The_lecture_layers_take_the_256_bit_forms_meant_for_them(string form, int batch, int channels, int size,
        int kernel, int stride, int pad, GemmKernelKind kind, bool takesIt)
    {
        Window2D g = Window(batch, channels, size, size, kernel, stride, pad);
        bool takes = form switch
        {
            "direct" => FastDirectConvolution.Serves(g, kind),
            "sparse" => SparsePooledGradient.ServesKernelGradient(g, kind),
            "dense channels-last" => ChannelsLastInputGradient.TakesDenseImages(g, kind),
            _ => ChannelsLastInputGradient.Serves(g, kind),
        };
        Assert.Equal(takesIt, takes);
    }

    [Fact]
    public void A_batch_of_small_planes_is_cut_into_chunks_for_the_threads_to_share()
    {
        // Chollet's third convolution: 3×3 outputs, batch 64. 1024 positions a chunk would be the whole batch.
        Window2D third = Window(64, 64, 5, 5, 3, 1, 0);
        Assert.True((third.Batch + FastConvolution.ImagesPerChunk(third) - 1) / FastConvolution.ImagesPerChunk(third)
            >= 4);
        // Layers with larger planes keep their chunks (and so their sums): one 24×24 image, sixteen 8×8 ones.
        Assert.Equal(1, FastConvolution.ImagesPerChunk(Window(120, 1, 28, 28, 5, 1, 0)));
        Assert.Equal(16, FastConvolution.ImagesPerChunk(Window(120, 32, 12, 12, 5, 1, 0)));
        Assert.Equal(1, FastConvolution.ImagesPerChunk(Window(1, 64, 5, 5, 3, 1, 0)));
    }

    /// <summary>The implicit GEMM's shape, a first layer's, which takes the direct form on AVX2, a second
    /// layer's, whose kernel gradient reads its patch rows in place there, and one of 3×3 outputs, whose chunks
    /// are a quarter of the batch.</summary>
    public static TheoryData<int, int, int, int> ThreadCountShapes =>
        new() { { 37, 20, 12, 40 }, { 9, 1, 28, 32 }, { 17, 32, 12, 32 }, { 13, 8, 7, 16 } };

    [Theory]
    [MemberData(nameof(ThreadCountShapes))]
    public void Results_are_the_same_bits_for_one_two_and_three_threads(int batch, int channels, int size,
        int filters)
    {
        Window2D g = Window(batch, channels, size, size, 5, 1, 0);
        float[] x = FastKernelInputs.Values(10, g.InputLength), w = FastKernelInputs.Values(11, filters * g.PatchSize);
        float[] dy = FastKernelInputs.Values(12, g.Batch * filters * g.OutputPlane);
        (float[] Y, float[] DKernel, float[] Dx, float[] DBias) Run(int threads)
        {
            int saved = CpuParallel.ThreadCount;
            try
            {
                CpuParallel.ThreadCount = threads;
                float[] y = new float[dy.Length], dKernel = new float[w.Length], dx = new float[x.Length],
                    dBias = new float[filters];
                FastConvolution.Forward(x, w, null, g, filters, y);
                FastConvolution.BackwardKernel(x, dy, g, filters, dKernel, dBias);
                FastConvolution.BackwardData(w, dy, g, filters, dx);
                return (y, dKernel, dx, dBias);
            }
            finally
            {
                CpuParallel.ThreadCount = saved;
            }
        }

        var one = Run(1);
        Assert.True(FastConvolution.ImagesPerChunk(g) < g.Batch, "the geometry must split into several chunks");
        foreach (int threads in new[] { 2, 3 })
        {
            var other = Run(threads);
            FastKernelInputs.AssertIdentical(one.Y, other.Y, $"y, {threads} threads");
            FastKernelInputs.AssertIdentical(one.DKernel, other.DKernel, $"dKernel, {threads} threads");
            FastKernelInputs.AssertIdentical(one.Dx, other.Dx, $"dx, {threads} threads");
            FastKernelInputs.AssertIdentical(one.DBias, other.DBias, $"dBias, {threads} threads");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void Input_gradient_set_over_stale_values_is_the_added_one_over_zeros(GemmKernelKind kind, int batch,
        int channels, int height, int width, int kernel, int stride, int pad, int filters)
    {
        VectorPaths.SkipUnlessSupported(kind);
        Window2D g = Window(batch, channels, height, width, kernel, stride, pad);
        float[] w = FastKernelInputs.Values(23, filters * g.PatchSize);
        float[] dy = FastKernelInputs.Values(24, g.Batch * filters * g.OutputPlane);
        float[] added = new float[g.InputLength], set = FastKernelInputs.Values(25, g.InputLength);
        set[^1] = float.NaN;

        FastConvolution.BackwardData(w, dy, g, filters, added, kind: kind);
        FastConvolution.BackwardData(w, dy, g, filters, set, set: true, kind: kind);

        FastKernelInputs.AssertIdentical(added, set, "dx");
    }

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void Bias_gradient_taken_with_the_kernel_gradient_is_the_channel_sums_bit_for_bit(GemmKernelKind kind,
        int batch, int channels, int height, int width, int kernel, int stride, int pad, int filters)
    {
        VectorPaths.SkipUnlessSupported(kind);
        Window2D g = Window(batch, channels, height, width, kernel, stride, pad);
        float[] x = FastKernelInputs.Values(20, g.InputLength);
        float[] dy = FastKernelInputs.Values(21, g.Batch * filters * g.OutputPlane);
        float[] start = FastKernelInputs.Values(22, filters);
        float[] expected = (float[])start.Clone(), actual = (float[])start.Clone();
        float[] withBias = new float[filters * g.PatchSize], withoutBias = new float[filters * g.PatchSize];

        FastChannelBias.Gradient(dy, g.Batch, filters, g.OutputPlane, expected);
        FastConvolution.BackwardKernel(x, dy, g, filters, withBias, actual, kind);
        FastConvolution.BackwardKernel(x, dy, g, filters, withoutBias, kind: kind);

        FastKernelInputs.AssertIdentical(expected, actual, "dBias (added to what it held)");
        FastKernelInputs.AssertIdentical(withoutBias, withBias, "dKernel, with the bias gradient and without");
    }
}
