using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Ops;

/// <summary>Max, average and L2 pooling: gradients, values by hand and against a reference, windows that do not
/// tile.</summary>
public sealed class PoolingTests
{
    // (channels, height, width, pool h, pool w, stride h, stride w, padding)
    private static readonly (int C, int H, int W, int Ph, int Pw, int Sh, int Sw, Padding Padding)[] Geometries =
    [
        (2, 6, 6, 2, 2, 2, 2, Padding.Valid),
        (2, 7, 7, 2, 2, 2, 2, Padding.Valid), // the last row and column are left out
        (2, 7, 7, 3, 3, 2, 2, Padding.Valid), // overlapping windows
        (2, 7, 7, 2, 2, 2, 2, Padding.Same),
        (1, 5, 5, 3, 3, 1, 1, Padding.Same),
        (3, 5, 6, 3, 2, 2, 3, Padding.Same),
    ];

    public static TheoryData<string, PoolingKind, int> Cases()
    {
        var data = new TheoryData<string, PoolingKind, int>();
        foreach (string name in AcceleratorCatalog.Names)
            foreach (PoolingKind kind in Enum.GetValues<PoolingKind>())
                for (int i = 0; i < Geometries.Length; i++) data.Add(name, kind, i);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Pooling_gradients_match_finite_differences(string acceleratorName, PoolingKind kind, int geometry)
    {
        var g = Geometries[geometry];
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var op = new Pool2DOp(kind, new SlidingWindow(g.Ph, g.Pw, g.Sh, g.Sw, g.Padding));
        // Max pooling is piecewise linear: a step stays on one piece unless another value of the window
        // lies within it, so the step is small (1e-4: a near tie is then rare, and the seed is fixed).
        // Only the moved element's output changes, so float32 rounding of x ± ε costs about 1e-3 relative.
        float epsilon = kind == PoolingKind.Max ? 1e-4f : 1e-2f;
        new GradientChecker(accelerator) { Epsilon = epsilon, MaxChecksPerTensor = 100 }.Check(op, batch: 2,
            [g.C, g.H, g.W]);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Pooling_forward_matches_a_direct_reference(string acceleratorName, PoolingKind kind, int geometry)
    {
        var g = Geometries[geometry];
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        const int batch = 2;
        float[] x = RandomInputs.Uniform(new System.Random(geometry), batch * g.C * g.H * g.W);
        (int oh, int padTop) = OutputAndPad(g.H, g.Ph, g.Sh, g.Padding);
        (int ow, int padLeft) = OutputAndPad(g.W, g.Pw, g.Sw, g.Padding);
        var expected = new List<float>();
        for (int plane = 0; plane < batch * g.C; plane++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            var window = new List<double>();
            for (int u = 0; u < g.Ph; u++)
            for (int v = 0; v < g.Pw; v++)
            {
                int h = i * g.Sh - padTop + u, w = j * g.Sw - padLeft + v;
                if (h >= 0 && h < g.H && w >= 0 && w < g.W) window.Add(x[(plane * g.H + h) * g.W + w]);
            }
            expected.Add((float)(kind switch
            {
                PoolingKind.Max => window.Max(),
                PoolingKind.Average => window.Average(),
                _ => Math.Sqrt(window.Sum(v => v * v)),
            }));
        }
        var op = new Pool2DOp(kind, new SlidingWindow(g.Ph, g.Pw, g.Sh, g.Sw, g.Padding));
        Assert.Equal([g.C, oh, ow], op.OutputShape([[g.C, g.H, g.W]]));
        float[] actual = ConvolutionTests.RunForward(accelerator, op, batch, [g.C, g.H, g.W], x);
        new Tolerance(1e-6, 1e-5).AssertClose(actual, expected.ToArray(), kind.ToString());
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Same_padding_pools_only_the_pixels_inside_the_image(string acceleratorName)
    {
        // 3×3 image, 2×2 pool, stride 2, 'same': out 2×2, the padding row and column after the image.
        // Keras: AveragePooling2D gives [[3, 4.5], [7.5, 9]], MaxPooling2D [[5, 6], [8, 9]].
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var window = new SlidingWindow(2, 2, 2, 2, Padding.Same);
        Assert.Equal([3f, 4.5f, 7.5f, 9f],
            ConvolutionTests.RunForward(accelerator, new Pool2DOp(PoolingKind.Average, window), 1, [3, 3], image));
        Assert.Equal([5f, 6f, 8f, 9f],
            ConvolutionTests.RunForward(accelerator, new Pool2DOp(PoolingKind.Max, window), 1, [3, 3], image));
        float[] l2 = ConvolutionTests.RunForward(accelerator, new Pool2DOp(PoolingKind.L2, window), 1, [3, 3], image);
        new Tolerance(1e-6, 1e-6).AssertClose(l2,
            [MathF.Sqrt(1 + 4 + 16 + 25), MathF.Sqrt(9 + 36), MathF.Sqrt(49 + 64), 9f], "l2");
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Max_pool_gradient_goes_to_the_first_maximum_on_ties(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var window = new Window2D(1, 1, 2, 4, 2, 2, 2, 2, 0, 0, 1, 2);
        var x = accelerator.Allocate(8);
        var y = accelerator.Allocate(2);
        var argmax = accelerator.Allocate(2);
        var dy = accelerator.Allocate(2);
        var dx = accelerator.Allocate(8);
        // Window 1 holds four 3s; window 2 has its 7 twice, second row first.
        accelerator.Upload([3, 3, 1, 2, 3, 3, 7, 7], x);
        accelerator.MaxPoolForward(x, window, y, argmax);
        accelerator.Upload([10f, 20f], dy);
        accelerator.Upload([1, 1, 1, 1, 1, 1, 1, 1], dx);
        accelerator.MaxPoolBackward(dy, argmax, window, dx);
        float[] gradient = new float[8];
        accelerator.Download(dx, gradient);
        // Accumulated onto the ones already there: the first 3 and the first 7 in row-major order.
        Assert.Equal([11f, 1, 1, 1, 1, 1, 21f, 1], gradient);
    }

    [Fact]
    public void A_pool_larger_than_the_input_is_refused_and_a_flat_input_is_named()
    {
        var op = new Pool2DOp(PoolingKind.Max, new SlidingWindow(3, 3, 3, 3, Padding.Valid, "pool size"));
        Assert.Contains("pool size 3x3 is larger than the input 2x2 with 'valid' padding",
            Assert.Throws<GpuNetException>(() => op.OutputShape([[4, 2, 2]])).Message);
        Assert.Contains("expects an image input (height, width, channels) but gets (784,)",
            Assert.Throws<GpuNetException>(() => op.OutputShape([[784]])).Message);
    }

    private static (int Output, int PadBefore) OutputAndPad(int input, int k, int stride, Padding padding)
    {
        if (padding == Padding.Valid) return ((input - k) / stride + 1, 0);
        int output = (int)Math.Ceiling(input / (double)stride);
        return (output, Math.Max((output - 1) * stride + k - input, 0) / 2);
    }
}
