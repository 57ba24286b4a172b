using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;

namespace GpuNet.Ops;

/// <summary>
/// A 2-D convolution (cross-correlation, as Keras's) of x [C, H, W] with kernel [F, C, kh, kw] and
/// bias [F], to y [F, OH, OW], run by the accelerator's Conv2DForward/Conv2DBackward. The ILGPU
/// accelerator makes the whole batch one GEMM — im2col lays every patch out as a column of col
/// [C·kh·kw, N·OH·OW], kernel · col gives the filter-major [F, N·OH·OW], and a swap of the leading
/// axes makes it NCHW — in the two workspaces this op owns, sized by the accelerator
/// (<see cref="IAccelerator.Conv2DWorkspaceLengths"/>); the CPU gathers each patch sliver
/// straight into its GEMM micro-kernel and asks for neither.
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

    /// <summary>col, then the filter-major result, each as long as the accelerator asks (for im2col,
    /// [C·kh·kw, N·OH·OW] and [F, N·OH·OW]).</summary>
    public override int[] WorkspaceLengths(int batchSize, IReadOnlyList<int[]> inputShapes, IAccelerator accelerator)
    {
        var (channels, height, width) = ImageShape.Of(inputShapes[0]);
        var (columns, filterMajor) = accelerator.Conv2DWorkspaceLengths(Window.Over(batchSize, channels, height, width),
            Filters);
        return [columns, filterMajor];
    }

    public override void Forward(OpContext context, OpTensors tensors)
    {
        Window2D g = Geometry(context, tensors);
        context.Accelerator.Conv2DForward(tensors.Input.Buffer, Kernel.Value.Buffer, Bias?.Value.Buffer, g, Filters,
            tensors.Workspaces[Columns].Buffer, tensors.Workspaces[FilterMajor].Buffer, tensors.Output.Buffer);
    }

    /// <summary>The accelerator may keep what the forward left in the workspaces, so a backward must follow its
    /// forward.</summary>
    public override void Backward(OpContext context, OpTensors tensors)
    {
        Window2D g = Geometry(context, tensors);
        context.Accelerator.Conv2DBackward(tensors.Input.Buffer, Kernel.Value.Buffer, tensors.OutputGradient!.Buffer, g,
            Filters,
            tensors.Workspaces[Columns].Buffer, tensors.Workspaces[FilterMajor].Buffer, Kernel.Gradient.Buffer,
                Bias?.Gradient.Buffer,
            tensors.InputGradients[0]?.Buffer, tensors.SetsInputGradient);
    }

    /// <summary>A convolution runs together with a max pooling that alone reads its output (pooling fusion).</summary>
    public override bool CanFusePooling(Op pooling) => pooling is Pool2DOp { Kind: PoolingKind.Max };

    /// <summary>
    /// This convolution and the max pooling that alone reads its output (with its fused ReLU, where
    /// <see cref="OpTensors.FusesRelu"/>) as one accelerator step, which writes the pooling's output
    /// and arg-max; <paramref name="pooled"/> are the pooling's tensors.
    /// </summary>
    public override void ForwardFused(OpContext context, OpTensors tensors, Op pooling, OpTensors pooled)
    {
        Window2D g = Geometry(context, tensors);
        context.Accelerator.Conv2DMaxPoolForward(Convolution(g, tensors), Bias?.Value.Buffer, tensors.Output.Buffer,
            Pooling(g, pooling, pooled));
    }

    /// <summary>
    /// The backward of <see cref="ForwardFused"/>, from the gradient at the pooling's output; sets this
    /// op's output gradient where the accelerator uses it.
    /// </summary>
    public override void BackwardFused(OpContext context, OpTensors tensors, Op pooling, OpTensors pooled)
    {
        Window2D g = Geometry(context, tensors);
        context.Accelerator.Conv2DMaxPoolBackward(Convolution(g, tensors), Pooling(g, pooling, pooled),
            pooled.OutputGradient!.Buffer, tensors.OutputGradient!.Buffer, pooled.FusedReluGradient?.Buffer,
            new ConvolutionGradients(Kernel.Gradient.Buffer, Bias?.Gradient.Buffer, tensors.InputGradients[0]?.Buffer,
                tensors.SetsInputGradient));
    }

    private ConvolutionStep Convolution(Window2D g, OpTensors tensors) =>
        new(g, Filters, tensors.Input.Buffer, Kernel.Value.Buffer,
        tensors.Workspaces[Columns].Buffer, tensors.Workspaces[FilterMajor].Buffer);

    private PoolingStep Pooling(Window2D g, Op pooling, OpTensors pooled) => new(
        ((Pool2DOp)pooling).Window.Over(g.Batch, Filters, g.OutputHeight, g.OutputWidth), pooled.FusesRelu,
            pooled.Output.Buffer,
        pooled.Workspace!.Buffer);

    /// <summary>The input gradient is a sum over this op's patches alone, so it can be written whole.</summary>
    public override bool CanSetInputGradient => true;

    private Window2D Geometry(OpContext context, OpTensors tensors)
    {
        var (channels, height, width) = ImageShape.OfBatch(tensors.Input);
        return Window.Over(context.BatchSize, channels, height, width);
    }
}
