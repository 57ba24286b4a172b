using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tensors;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Ops;

/// <summary>Conv2D against finite differences and against a direct nested-loop convolution.</summary>
public sealed class ConvolutionTests
{
    // (channels, height, width, filters, kh, kw, stride h, stride w, padding, bias, batch)
    private static readonly (int C, int H, int W, int F, int Kh, int Kw, int Sh, int Sw, Padding Padding, bool Bias,
        int Batch)[] Geometries =
    [
        (2, 7, 7, 3, 3, 3, 1, 1, Padding.Valid, true, 2),
        (2, 7, 7, 3, 3, 3, 1, 1, Padding.Same, true, 2),
        (2, 7, 7, 3, 3, 3, 2, 2, Padding.Valid, true, 2),
        (2, 7, 7, 3, 3, 3, 2, 2, Padding.Same, false, 2),
        (2, 7, 7, 3, 3, 3, 1, 1, Padding.Valid, false, 2),
        (1, 6, 5, 2, 4, 2, 2, 1, Padding.Same, true, 3),
        (3, 5, 8, 4, 2, 3, 3, 2, Padding.Valid, true, 1),
    ];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in AcceleratorCatalog.Names)
            for (int i = 0; i < Geometries.Length; i++) data.Add(name, i);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Conv2D_gradients_match_finite_differences(string acceleratorName, int geometry)
    {
        var c = Geometries[geometry];
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        Conv2DOp op = NewOp(c.C, c.F, c.Kh, c.Kw, c.Sh, c.Sw, c.Padding, c.Bias);
        new GradientChecker(accelerator) { MaxChecksPerTensor = 80 }.Check(op, c.Batch, [c.C, c.H, c.W]);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Conv2D_forward_matches_a_direct_convolution(string acceleratorName, int geometry)
    {
        var c = Geometries[geometry];
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var random = new System.Random(geometry + 11);
        float[] x = RandomInputs.Uniform(random, c.Batch * c.C * c.H * c.W);
        float[] kernel = RandomInputs.Uniform(random, c.F * c.C * c.Kh * c.Kw);
        float[] bias = c.Bias ? RandomInputs.Uniform(random, c.F) : new float[c.F];

        // The reference works out Keras's 'same' padding on its own, not through SlidingWindow.
        (int oh, int padTop) = OutputAndPad(c.H, c.Kh, c.Sh, c.Padding);
        (int ow, int padLeft) = OutputAndPad(c.W, c.Kw, c.Sw, c.Padding);
        float[] expected = new float[c.Batch * c.F * oh * ow];
        for (int n = 0; n < c.Batch; n++)
        for (int f = 0; f < c.F; f++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double sum = bias[f];
            for (int ch = 0; ch < c.C; ch++)
            for (int u = 0; u < c.Kh; u++)
            for (int v = 0; v < c.Kw; v++)
            {
                int h = i * c.Sh - padTop + u, w = j * c.Sw - padLeft + v;
                if (h < 0 || h >= c.H || w < 0 || w >= c.W) continue;
                sum += (double)x[((n * c.C + ch) * c.H + h) * c.W + w] * kernel[((f * c.C + ch) * c.Kh + u) * c.Kw + v];
            }
            expected[((n * c.F + f) * oh + i) * ow + j] = (float)sum;
        }

        Conv2DOp op = NewOp(c.C, c.F, c.Kh, c.Kw, c.Sh, c.Sw, c.Padding, c.Bias);
        Assert.Equal([c.F, oh, ow], op.OutputShape([[c.C, c.H, c.W]]));
        foreach (Parameter p in op.Parameters) p.Allocate(accelerator);
        accelerator.Upload(kernel, op.Kernel.Value.Buffer);
        if (op.Bias is not null) accelerator.Upload(bias, op.Bias.Value.Buffer);
        float[] actual = RunForward(accelerator, op, c.Batch, [c.C, c.H, c.W], x);
        new Tolerance(1e-5, 1e-5).AssertClose(actual, expected, "y");
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Col2Im_is_the_adjoint_of_Im2Col(string acceleratorName)
    {
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for every x and c: col2im adds each patch element back where it came
        // from.
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var window = new SlidingWindow(3, 2, 2, 1, Padding.Same).Over(batch: 2, channels: 3, height: 7, width: 6);
        var random = new System.Random(4);
        float[] x = RandomInputs.Uniform(random, window.InputLength),
            c = RandomInputs.Uniform(random, window.PatchSize * window.PatchCount);
        var xBuffer = accelerator.Allocate(x.Length);
        var colBuffer = accelerator.Allocate(c.Length);
        accelerator.Upload(x, xBuffer);
        accelerator.Im2Col(xBuffer, window, colBuffer);
        float[] col = new float[c.Length];
        accelerator.Download(colBuffer, col);

        accelerator.Upload(c, colBuffer);
        var dx = accelerator.Allocate(x.Length);
        accelerator.Col2Im(colBuffer, window, dx);
        float[] back = new float[x.Length];
        accelerator.Download(dx, back);

        double left = col.Select((v, i) => (double)v * c[i]).Sum();
        double right = x.Select((v, i) => (double)v * back[i]).Sum();
        Assert.Equal(left, right, 3);
    }

    [Fact]
    public void Keras_same_padding_puts_the_odd_pixel_after_the_image()
    {
        // 7 wide, kernel 4, stride 2: out = 4, pad_total = 3·2 + 4 − 7 = 3, one before and two after.
        var window = new SlidingWindow(4, 4, 2, 2, Padding.Same).Over(1, 1, 7, 7);
        Assert.Equal((4, 4, 1, 1), (window.OutputHeight, window.OutputWidth, window.PadTop, window.PadLeft));
        var valid = new SlidingWindow(3, 3, 2, 2, Padding.Valid).Over(1, 1, 7, 7);
        Assert.Equal((3, 3, 0, 0), (valid.OutputHeight, valid.OutputWidth, valid.PadTop, valid.PadLeft));
    }

    [Fact]
    public void A_kernel_larger_than_the_input_is_refused()
    {
        Conv2DOp op = NewOp(1, 2, 5, 5, 1, 1, Padding.Valid, true);
        var error = Assert.Throws<GpuNetException>(() => op.OutputShape([[1, 4, 4]]));
        Assert.Contains("kernel 5x5 is larger than the input 4x4 with 'valid' padding", error.Message);
        Assert.Equal([2, 4, 4], NewOp(1, 2, 5, 5, 1, 1, Padding.Same, true).OutputShape([[1, 4, 4]]));
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Workspaces_are_what_the_accelerator_asks_for(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        // The two-block CNN's second layer at batch 120: 800 patch elements at 64 positions of 120 images.
        int[] lengths = NewOp(32, 32, 5, 5, 1, 1, Padding.Valid, true).WorkspaceLengths(120, [[32, 12, 12]],
            accelerator);
        // The CPU gathers its patches itself; an accelerator that does not say runs the batched im2col form.
        int[] expected = accelerator is GpuNet.Accelerators.Cpu.CpuAccelerator ? [0, 0] : [800 * 120 * 64,
            32 * 120 * 64];
        Assert.Equal(expected, lengths);
    }

    private static Conv2DOp NewOp(int channels, int filters, int kh, int kw, int sh, int sw, Padding padding,
        bool bias) =>
        new(new Parameter("kernel", [filters, channels, kh, kw], Initializer.Zeros),
            bias ? new Parameter("bias", [filters], Initializer.Zeros) : null,
            new SlidingWindow(kh, kw, sh, sw, padding, "kernel"));

    private static (int Output, int PadBefore) OutputAndPad(int input, int k, int stride, Padding padding)
    {
        if (padding == Padding.Valid) return ((input - k) / stride + 1, 0);
        int output = (int)Math.Ceiling(input / (double)stride);
        return (output, Math.Max((output - 1) * stride + k - input, 0) / 2);
    }

    /// <summary>One inference forward of a single op on fresh buffers, returning its output.</summary>
    internal static float[] RunForward(IAccelerator accelerator, Op op, int batch, int[] sampleShape, float[] x,
        bool training = false, long step = 0)
    {
        int[] outputShape = op.OutputShape([sampleShape]);
        var input = new Tensor(accelerator.Allocate(x.Length), ShapeOf.WithBatch(batch, sampleShape));
        accelerator.Upload(x, input.Buffer);
        var output = new Tensor(accelerator.Allocate(batch * ShapeOf.ElementCount(outputShape)),
            ShapeOf.WithBatch(batch, outputShape));
        Tensor[] workspaces = op.WorkspaceLengths(batch, [sampleShape], accelerator).Select(l =>
            new Tensor(accelerator.Allocate(l), [l])).ToArray();
        var tensors = new OpTensors([input], output, [null], null,
            workspaces.FirstOrDefault()) { Workspaces = workspaces };
        op.Forward(new OpContext(accelerator) { BatchSize = batch, Training = training, Seed = 7, Step = step },
            tensors);
        float[] y = new float[output.Length];
        accelerator.Download(output.Buffer, y);
        return y;
    }

}
