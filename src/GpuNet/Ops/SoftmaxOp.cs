using GpuNet.Graph;

namespace GpuNet.Ops;

/// <summary>Softmax over the last axis of a flat [batch, classes] input.</summary>
public sealed class SoftmaxOp : Op
{
    public override string Name => "softmax";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes[0].Length != 1)
            throw new GpuNetException($"softmax expects a flat input (classes,) but gets " +
                $"{Tensors.ShapeOf.Format(inputShapes[0])}");
        return inputShapes[0];
    }

    public override void Forward(OpContext context, OpTensors tensors) =>
        context.Accelerator.SoftmaxForward(tensors.Input.Buffer, context.BatchSize, tensors.Output.Shape[1],
            tensors.Output.Buffer);

    public override void Backward(OpContext context, OpTensors tensors)
    {
        if (tensors.InputGradients[0] is not { } dx) return;
        context.Accelerator.SoftmaxBackward(tensors.Output.Buffer, tensors.OutputGradient!.Buffer, context.BatchSize,
            tensors.Output.Shape[1], dx.Buffer);
    }
}
