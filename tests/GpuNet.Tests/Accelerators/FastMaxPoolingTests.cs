using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Ilgpu;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The vectorised 2×2 max pooling against the reference, values and arg-max bit for bit, on the
/// 512-bit and the 256-bit path (each skipped where the CPU lacks it).
/// </summary>
public sealed class FastMaxPoolingTests
{
    // batch, channels, height, width, 'same' padding: rows of one window, of fewer than eight and
    // sixteen, of exactly sixteen (32 pixels), of 33 windows; clipped and padded windows (the
    // reference's), 11 × 11 with a row and a column left over (Chollet's second pooling).
    private static readonly object[][] Forwards =
    [
        [1, 1, 2, 2, false], [2, 3, 7, 7, false], [3, 2, 24, 24, false], [2, 2, 28, 34, false], [1, 2, 9, 67, false],
        [2, 2, 9, 67, true], [2, 2, 8, 64, true], [120, 32, 8, 8, false], [4, 3, 24, 24, false], [2, 2, 40, 40, false],
        [3, 4, 11, 11, false], [2, 3, 26, 26, false],
    ];

    private static readonly object[][] Backwards =
    [
        [3, 2, 24, 24, false], [120, 32, 8, 8, false], [2, 2, 40, 40, false], [2, 3, 7, 7, false],
            [2, 2, 28, 34, false],
        [2, 2, 9, 67, true], [2, 3, 26, 26, false], [3, 4, 11, 11, false], [2, 2, 16, 66, false],
    ];

    public static IEnumerable<object[]> ForwardCases => VectorPaths.Cross(VectorPaths.Widths, Forwards);

    public static IEnumerable<object[]> BackwardCases => VectorPaths.Cross(VectorPaths.Widths, Backwards);

    [SkippableTheory]
    [MemberData(nameof(ForwardCases))]
    public void Max_forward_matches_the_reference(int vectorWidth, int batch, int channels, int height, int width,
        bool same)
    {
        VectorPaths.SkipUnlessSupported(vectorWidth);
        foreach (bool relu in new[] { false, true })
        {
            var (g, x, expected, expectedArgmax) = ReferenceForward(batch, channels, height, width, same, relu);
            float[] actual = new float[expected.Length], actualArgmax = new float[expected.Length];
            FastMaxPooling.MaxForward(x, g, actual, actualArgmax, relu, vectorWidth);
            FastKernelInputs.AssertIdentical(expected, actual, $"y (relu {relu})");
            FastKernelInputs.AssertIdentical(expectedArgmax, actualArgmax, $"argmax (relu {relu})");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(BackwardCases))]
    public void Max_backward_matches_the_reference_set_or_added_with_or_without_relu(int vectorWidth, int batch,
        int channels, int height, int width, bool same)
    {
        VectorPaths.SkipUnlessSupported(vectorWidth);
        foreach (bool relu in new[] { false, true })
            foreach (bool set in new[] { false, true })
            {
                var (g, _, y, argmax) = ReferenceForward(batch, channels, height, width, same, relu);
                float[] dy = FastKernelInputs.Values(51, y.Length);
                // −0 and NaN gradients: the reference's clear-then-add turns −0 into +0, and a NaN passes only
                // where y > 0.
                for (int i = 0; i < dy.Length; i += 7) dy[i] = -0f;
                dy[3] = float.NaN;
                float[] start = set ? new float[g.InputLength] : FastKernelInputs.Values(52, g.InputLength);
                // Stale values in the buffer a set must overwrite.
                float[] actual = set ? FastKernelInputs.Values(53, g.InputLength) : (float[])start.Clone();
                float[] expected = (float[])start.Clone();
                float[] masked = relu ? dy.Select((v, i) => y[i] > 0f ? v : 0f).ToArray() : dy;
                ReferencePooling.MaxBackward(masked, argmax, g, expected);
                FastMaxPooling.MaxBackward(dy, argmax, g, actual, set, relu ? y : null, vectorWidth);
                FastKernelInputs.AssertIdentical(expected, actual, $"dx (relu {relu}, set {set})");
            }
    }

    [Theory]
    [InlineData(24, 24, true)]
    [InlineData(8, 8, true)]
    [InlineData(7, 7, false)]
    [InlineData(9, 8, false)]
    public void Only_windows_that_cover_every_pixel_tile_exactly(int height, int width, bool exact) =>
        Assert.Equal(exact, FastMaxPooling.TilesExactly(KernelParity.Window(1, 1, height, width, 2, 2, 2, false)));

    /// <summary>Inputs with ties, a NaN and about half the values negative, and the reference's pooling (and ReLU) of
    /// them.</summary>
    private static (Window2D G, float[] X, float[] Y, float[] Argmax) ReferenceForward(int batch, int channels,
        int height, int width, bool same, bool relu)
    {
        Window2D g = KernelParity.Window(batch, channels, height, width, 2, 2, 2, same);
        float[] x = FastKernelInputs.Values(50, batch * channels * height * width);
        // Ties between a window's elements, so the first-maximum rule is exercised.
        for (int i = 0; i < x.Length; i += 5) x[i] = MathF.Round(x[i]);
        x[1] = float.NaN;
        int outputs = batch * channels * g.OutputPlane;
        float[] y = new float[outputs], argmax = new float[outputs];
        ReferencePooling.MaxForward(x, g, y, argmax);
        if (relu) ReferenceActivations.Forward(ActivationKind.Relu, 0f, y, y);
        // Enough windows to hold both a positive maximum and one the ReLU zeroes.
        if (outputs >= 64) Assert.Contains(y, v => v > 0f);
        if (outputs >= 64 && relu) Assert.Contains(y, v => v == 0f);
        return (g, x, y, argmax);
    }

    [Theory]
    [InlineData(24, 24, false, true)]
    [InlineData(7, 7, false, true)]
    [InlineData(7, 7, true, false)]
    public void Only_windows_wholly_inside_the_image_take_the_fast_path(int height, int width, bool same, bool fast) =>
        Assert.Equal(fast, FastMaxPooling.IsUnclippedTwoByTwo(KernelParity.Window(1, 1, height, width, 2, 2, 2, same)));
}
