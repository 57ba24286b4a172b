using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// A convolution run together with the 2×2 max pooling that follows it against the two run in
/// turn through a full-size output: the same pooled values, arg-max and gradients, bit for bit,
/// with and without a fused ReLU.
/// </summary>
public sealed class Conv2DMaxPoolTests
{
    // batch, channels, height, width, kernel, stride, pad, filters, pool size (and stride): a
    // first layer whose output the pooling tiles exactly (one image per kernel-gradient chunk), the
    // same with Chollet's 3×3 window (rows of 26, not a whole number of vectors), an
    // odd output the pooling leaves a row and a column of, strided and padded windows, several
    // images per chunk with a second layer's 32 channels, output rows of more than sixteen
    // windows, 3×3 pooling (the reference's windows); behind the pooling, where the AVX2 products skip the zeros of
    // dy (SparsePooledGradient): Chollet's second layer (an output the pooling leaves a row and a column of), patch
    // rows of 10 and 9 vectors (16 and 24 channels, the second strided and without the channels-last input
    // gradient), 20 filters under a 3×3 pooling, and a 6×6 output whose last four positions, past its last
    // whole vector, are pooled; window rows of 16, 128, 192, 32 and 160 floats, for each width of AVX-512's sparse
    // kernel gradient, which make 1, 8, 36, 4 and 10 slivers of 16 channels, for each of its sparse input gradient.
    private static readonly object[][] Shapes =
    [
        [3, 1, 28, 28, 5, 1, 0, 13, 2],
        [2, 1, 28, 28, 3, 1, 0, 9, 2],
        [5, 3, 9, 10, 3, 1, 1, 7, 2],
        [4, 3, 11, 11, 3, 2, 1, 5, 2],
        [17, 32, 12, 12, 5, 1, 0, 32, 2],
        [2, 2, 40, 41, 3, 1, 1, 33, 2],
        [3, 2, 12, 13, 3, 1, 0, 6, 3],
        [3, 32, 13, 13, 3, 1, 0, 64, 2],
        [2, 16, 11, 10, 5, 1, 0, 7, 2],
        [3, 24, 9, 9, 3, 2, 0, 5, 2],
        [2, 16, 10, 10, 3, 1, 0, 20, 3],
        [3, 16, 8, 8, 3, 1, 0, 9, 2],
        [2, 16, 9, 9, 1, 1, 0, 5, 2],
        [2, 32, 8, 8, 4, 1, 0, 5, 2],
        [2, 64, 7, 7, 3, 1, 0, 6, 2],
        [2, 16, 9, 9, 2, 1, 0, 5, 2],
        [2, 160, 5, 5, 1, 1, 0, 3, 2],
    ];

    /// <summary>Each geometry on each micro-kernel and the pooling of its vector width.</summary>
    public static IEnumerable<object[]> Geometries => VectorPaths.Cross(VectorPaths.Kinds, Shapes);

    private static Window2D Convolution(int batch, int channels, int height, int width, int kernel, int stride,
        int pad) =>
        new(batch, channels, height, width, kernel, kernel, stride, stride, pad, pad,
            (height + 2 * pad - kernel) / stride + 1, (width + 2 * pad - kernel) / stride + 1);

    private static Window2D Pooling(Window2D g, int filters, int size = 2) =>
        new(g.Batch, filters, g.OutputHeight, g.OutputWidth, size, size, size, size, 0, 0, g.OutputHeight / size,
            g.OutputWidth / size);

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void Fused_forward_is_the_convolution_then_the_pooling(GemmKernelKind kind, int batch, int channels,
        int height, int width, int kernel, int stride, int pad, int filters, int poolSize)
    {
        VectorPaths.SkipUnlessSupported(kind);
        int vectorWidth = kind switch { GemmKernelKind.Vector512 => 512, GemmKernelKind.Vector256 => 256, _ => 0 };
        Window2D g = Convolution(batch, channels, height, width, kernel, stride, pad),
            pool = Pooling(g, filters, poolSize);
        float[] x = FastKernelInputs.Values(1, g.InputLength), w = FastKernelInputs.Values(2, filters * g.PatchSize),
            bias = FastKernelInputs.Values(3, filters);
        int pooledLength = batch * filters * pool.OutputPlane;
        foreach (bool relu in new[] { false, true })
            foreach (float[]? b in new[] { bias, null })
            {
                float[] y = new float[batch * filters * g.OutputPlane], expected = new float[pooledLength],
                    expectedArgmax = new float[pooledLength];
                FastConvolution.Forward(x, w, b, g, filters, y, kind);
                FastMaxPooling.MaxForward(y, pool, expected, expectedArgmax, relu, vectorWidth);

                // Whatever the outputs held before is overwritten.
                float[] actual = FastKernelInputs.Values(4, pooledLength),
                    actualArgmax = FastKernelInputs.Values(5, pooledLength);
                FastConvolution.ForwardFused(x, w, b, g, filters, pool, relu, actual, actualArgmax, kind);

                string what = $"relu={relu} bias={b is not null}";
                // The ReLU must matter: some 2×2 windows have no positive value (of nine values, hardly any).
                if (relu && poolSize == 2) Assert.Contains(expected, v => v == 0f);
                FastKernelInputs.AssertIdentical(expected, actual, $"pooled y, {what}");
                FastKernelInputs.AssertIdentical(expectedArgmax, actualArgmax, $"arg-max, {what}");
            }
    }

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void Fused_backward_is_the_pooling_then_the_convolution(GemmKernelKind kind, int batch, int channels,
        int height, int width, int kernel, int stride, int pad, int filters, int poolSize)
    {
        VectorPaths.SkipUnlessSupported(kind);
        int vectorWidth = kind switch { GemmKernelKind.Vector512 => 512, GemmKernelKind.Vector256 => 256, _ => 0 };
        Window2D g = Convolution(batch, channels, height, width, kernel, stride, pad),
            pool = Pooling(g, filters, poolSize);
        float[] x = FastKernelInputs.Values(6, g.InputLength), w = FastKernelInputs.Values(7, filters * g.PatchSize);
        int pooledLength = batch * filters * pool.OutputPlane;
        float[] convolved = new float[batch * filters * g.OutputPlane], pooled = new float[pooledLength],
            argmax = new float[pooledLength];
        FastConvolution.Forward(x, w, null, g, filters, convolved, kind);
        FastMaxPooling.MaxForward(convolved, pool, pooled, argmax, relu: true, vectorWidth);
        float[] dy = FastKernelInputs.Values(8, pooledLength);
        // Gradients of the parameters accumulate: both start from the same non-zero values.
        float[] dKernel0 = FastKernelInputs.Values(9, w.Length), dBias0 = FastKernelInputs.Values(10, filters),
            dx0 = FastKernelInputs.Values(11, x.Length);
        foreach (bool relu in new[] { false, true })
            foreach (bool set in new[] { false, true })
            {
                float[] dyConvolution = FastKernelInputs.Values(12, convolved.Length);
                float[] dKernel = (float[])dKernel0.Clone(), dBias = (float[])dBias0.Clone(), dx = (float[])dx0.Clone();
                FastMaxPooling.MaxBackward(dy, argmax, pool, dyConvolution, set: true, reluOutput: relu ? pooled : null,
                    vectorWidth);
                FastConvolution.BackwardKernel(x, dyConvolution, g, filters, dKernel, dBias, kind);
                FastConvolution.BackwardData(w, dyConvolution, g, filters, dx, set, kind);

                float[] fusedKernel = (float[])dKernel0.Clone(), fusedBias = (float[])dBias0.Clone(),
                    fusedDx = (float[])dx0.Clone();
                var gradient = new FusedPoolingGradient(dy, argmax, relu ? pooled : null, pool);
                FastConvolution.BackwardKernelFused(x, gradient, g, filters, fusedKernel, fusedBias, kind);
                FastConvolution.BackwardDataFused(w, gradient, g, filters, fusedDx, set, kind);

                string what = $"relu={relu} set={set}";
                FastKernelInputs.AssertIdentical(dKernel, fusedKernel, $"dKernel, {what}");
                FastKernelInputs.AssertIdentical(dBias, fusedBias, $"dBias, {what}");
                FastKernelInputs.AssertIdentical(dx, fusedDx, $"dx, {what}");
            }
    }

    [Fact]
    public void A_pooling_that_does_not_read_the_convolutions_output_is_refused()
    {
        Window2D g = Convolution(2, 1, 10, 10, 3, 1, 0);
        Window2D otherChannels = Pooling(g, 4), otherWindow = g with { Channels = 3 };
        float[] x = new float[g.InputLength], w = new float[3 * g.PatchSize], pooled = new float[2 * 4 * 16],
            argmax = new float[2 * 4 * 16];

        var error = Assert.Throws<ArgumentException>(() =>
            FastConvolution.ForwardFused(x, w, null, g, 3, otherChannels, false, pooled, argmax));
        Assert.Contains("[2, 4, 8, 8]", error.Message);
        Assert.Contains("[2, 3, 8, 8]", error.Message);
        Assert.Throws<ArgumentException>(() =>
            FastConvolution.ForwardFused(x, w, null, g, 3, otherWindow, false, pooled, argmax));
    }
}
