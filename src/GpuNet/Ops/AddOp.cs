using GpuNet.Accelerators;
using GpuNet.Graph;

namespace GpuNet.Ops;

/// <summary>y = a + b for two inputs of one shape (residual connections, merged branches).</summary>
public sealed class AddOp : Op
{
    public override string Name => "add";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (!inputShapes[0].SequenceEqual(inputShapes[1]))
            throw new GpuNetException($"add needs inputs of one shape, got " +
                $"{Tensors.ShapeOf.Format(inputShapes[0])} and {Tensors.ShapeOf.Format(inputShapes[1])}");
        return inputShapes[0];
    }

    public override void Forward(OpContext context, OpTensors tensors) =>
        context.Accelerator.Add(tensors.Inputs[0].Buffer, tensors.Inputs[1].Buffer, tensors.Output.Length,
            tensors.Output.Buffer);

    public override void Backward(OpContext context, OpTensors tensors)
    {
        // ∂(a + b)/∂a = ∂(a + b)/∂b = 1: each input gradient gets dy added, as a linear activation would.
        foreach (var dx in tensors.InputGradients)
        {
            if (dx is null) continue;
            context.Accelerator.ActivationBackward(ActivationKind.Linear, 0f, tensors.Output.Buffer,
                tensors.Output.Buffer, tensors.OutputGradient!.Buffer, tensors.Output.Length, dx.Buffer);
        }
    }
}
