using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Models;

namespace GpuNet.Ops;

/// <summary>
/// A 2-D convolution (cross-correlation, as Keras's) of x [C, H, W] with kernel [F, C, kh, kw] and
/// bias [F], to y [F, OH, OW]. The whole batch is one GEMM: im2col lays every patch out as a
/// column of col [C·kh·kw, N·OH·OW], kernel · col gives the filter-major [F, N·OH·OW], and a swap
/// of the leading axes makes it NCHW.
/// </summary>
public sealed class Conv2DOp(Parameter kernel, Parameter? bias, SlidingWindow window) : Op
{
    private const int Columns = 0, FilterMajor = 1;

    public Parameter Kernel { get; } = kernel;

    public Parameter? Bias { get; } = bias;

    public SlidingWindow Window { get; } = window;

    private int Filters => Kernel.Shape[0];

    public override string Name => "conv2d";

    public override IReadOnlyList<Parameter> Parameters => Bias is null ? [Kernel] : [Kernel, Bias];

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        var (channels, height, width) = ImageShape.Of(inputShapes[0]);
        if (channels != Kernel.Shape[1])
            throw new GpuNetException($"expects {Kernel.Shape[1]} input channels but gets {channels}");
        var (outputHeight, outputWidth) = Window.OutputSize(height, width);
        return [Filters, outputHeight, outputWidth];
    }

    /// <summary>col [C·kh·kw, N·OH·OW], then the filter-major result [F, N·OH·OW].</summary>
    public override int[] WorkspaceLengths(int batchSize, IReadOnlyList<int[]> inputShapes)
    {
        var (channels, height, width) = ImageShape.Of(inputShapes[0]);
        Window2D g = Window.Over(batchSize, channels, height, width);
        return [checked(g.PatchSize * g.PatchCount), checked(Filters * g.PatchCount)];
    }

    public override void Forward(OpContext context, OpTensors tensors)
    {
        var acc = context.Accelerator;
        Window2D g = Geometry(context, tensors);
        DeviceBuffer col = tensors.Workspaces[Columns].Buffer, filterMajor = tensors.Workspaces[FilterMajor].Buffer;
        acc.Im2Col(tensors.Input.Buffer, g, col);
        // [F, C·kh·kw] · [C·kh·kw, N·OH·OW] → [F, N·OH·OW]
        acc.Gemm(false, false, Kernel.Value.Buffer, col, Filters, g.PatchCount, g.PatchSize, 1f, 0f, filterMajor);
        acc.SwapLeadingAxes(filterMajor, Filters, g.Batch, g.OutputPlane, tensors.Output.Buffer);
        if (Bias is not null) acc.AddChannelBias(Bias.Value.Buffer, g.Batch, Filters, g.OutputPlane, tensors.Output.Buffer);
    }

    /// <summary>Reuses the forward's col for dCol once dKernel no longer needs it, so a backward must follow its forward.</summary>
    public override void Backward(OpContext context, OpTensors tensors)
    {
        var acc = context.Accelerator;
        Window2D g = Geometry(context, tensors);
        DeviceBuffer col = tensors.Workspaces[Columns].Buffer, dyFilterMajor = tensors.Workspaces[FilterMajor].Buffer;
        DeviceBuffer dy = tensors.OutputGradient!.Buffer;
        if (Bias is not null) acc.ChannelBiasGradient(dy, g.Batch, Filters, g.OutputPlane, Bias.Gradient.Buffer);
        acc.SwapLeadingAxes(dy, g.Batch, Filters, g.OutputPlane, dyFilterMajor);
        // dKernel [F, C·kh·kw] += dy [F, N·OH·OW] · colᵀ
        acc.Gemm(false, true, dyFilterMajor, col, Filters, g.PatchSize, g.PatchCount, 1f, 1f, Kernel.Gradient.Buffer);
        if (tensors.InputGradients[0] is not { } dx) return;
        // dCol [C·kh·kw, N·OH·OW] = kernelᵀ · dy, then each patch element goes back to its pixel.
        acc.Gemm(true, false, Kernel.Value.Buffer, dyFilterMajor, g.PatchSize, g.PatchCount, Filters, 1f, 0f, col);
        acc.Col2Im(col, g, dx.Buffer);
    }

    private Window2D Geometry(OpContext context, OpTensors tensors)
    {
        var (channels, height, width) = ImageShape.OfBatch(tensors.Input);
        return Window.Over(context.BatchSize, channels, height, width);
    }
}
