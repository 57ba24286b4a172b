using GpuNet.Accelerators;
using GpuNet.Graph;

namespace GpuNet.Ops;

/// <summary>Max, average or L2 pooling of each channel of x [C, H, W] to y [C, OH, OW].</summary>
public sealed class Pool2DOp(PoolingKind kind, SlidingWindow window) : Op
{
    public PoolingKind Kind { get; } = kind;

    public SlidingWindow Window { get; } = window;

    public override string Name => Kind switch
    {
        PoolingKind.Max => "max_pool2d",
        PoolingKind.Average => "average_pool2d",
        _ => "l2_pool2d",
    };

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        var (channels, height, width) = ImageShape.Of(inputShapes[0]);
        var (outputHeight, outputWidth) = Window.OutputSize(height, width);
        return [channels, outputHeight, outputWidth];
    }

    /// <summary>Max pooling keeps where each maximum was, one float per output element.</summary>
    public override int WorkspaceLength(int batchSize, IReadOnlyList<int[]> inputShapes) =>
        Kind == PoolingKind.Max ? checked(batchSize * Tensors.ShapeOf.ElementCount(OutputShape(inputShapes))) : 0;

    public override void Forward(OpContext context, OpTensors tensors)
    {
        var acc = context.Accelerator;
        Window2D g = Geometry(context, tensors);
        DeviceBuffer x = tensors.Input.Buffer, y = tensors.Output.Buffer;
        switch (Kind)
        {
            case PoolingKind.Max when tensors.FusesRelu: acc.MaxPoolReluForward(x, g, y,
                tensors.Workspace!.Buffer); break;
            case PoolingKind.Max: acc.MaxPoolForward(x, g, y, tensors.Workspace!.Buffer); break;
            case PoolingKind.Average: acc.AveragePoolForward(x, g, y); break;
            default: acc.L2PoolForward(x, g, y); break;
        }
    }

    /// <summary>Max pooling: a window's maximum is the maximum of its ReLU, where it is positive; else both are zero
    /// and pass no gradient.</summary>
    public override bool CanFuseRelu => Kind == PoolingKind.Max;

    /// <summary>Max pooling writes whole planes of dx (zero where no maximum was); the others add.</summary>
    public override bool CanSetInputGradient => Kind == PoolingKind.Max;

    public override void Backward(OpContext context, OpTensors tensors)
    {
        if (tensors.InputGradients[0] is not { } dx) return;
        var acc = context.Accelerator;
        Window2D g = Geometry(context, tensors);
        DeviceBuffer dy = tensors.OutputGradient!.Buffer;
        switch (Kind)
        {
            case PoolingKind.Max when tensors.FusesRelu:
                acc.MaxPoolReluBackward(dy, tensors.Output.Buffer, tensors.Workspace!.Buffer, g, dx.Buffer,
                    tensors.FusedReluGradient!.Buffer, tensors.SetsInputGradient);
                break;
            case PoolingKind.Max when tensors.SetsInputGradient: acc.MaxPoolBackwardSet(dy, tensors.Workspace!.Buffer,
                g, dx.Buffer); break;
            case PoolingKind.Max: acc.MaxPoolBackward(dy, tensors.Workspace!.Buffer, g, dx.Buffer); break;
            case PoolingKind.Average: acc.AveragePoolBackward(dy, g, dx.Buffer); break;
            default: acc.L2PoolBackward(tensors.Input.Buffer, tensors.Output.Buffer, dy, g, dx.Buffer); break;
        }
    }

    private Window2D Geometry(OpContext context, OpTensors tensors)
    {
        var (channels, height, width) = ImageShape.OfBatch(tensors.Input);
        return Window.Over(context.BatchSize, channels, height, width);
    }
}
