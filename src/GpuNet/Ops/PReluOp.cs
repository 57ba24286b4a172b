using GpuNet.Graph;
using GpuNet.Parameters;

namespace GpuNet.Ops;

/// <summary>PReLU: y = x for x &gt; 0, alpha · x otherwise, with a learned alpha for every element of the
/// sample.</summary>
public sealed class PReluOp(Parameter alpha) : Op
{
    public Parameter Alpha { get; } = alpha;

    public override string Name => "prelu";

    public override IReadOnlyList<Parameter> Parameters => [Alpha];

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (Tensors.ShapeOf.ElementCount(inputShapes[0]) != Alpha.Length)
            throw new GpuNetException($"has {Alpha.Length} slopes but the input has " +
                $"{Tensors.ShapeOf.ElementCount(inputShapes[0])} values per sample");
        return inputShapes[0];
    }

    public override void Forward(OpContext context, OpTensors tensors) =>
        context.Accelerator.PReluForward(tensors.Input.Buffer, Alpha.Value.Buffer, context.BatchSize, Alpha.Length,
            tensors.Output.Buffer);

    public override void Backward(OpContext context, OpTensors tensors) =>
        context.Accelerator.PReluBackward(tensors.Input.Buffer, Alpha.Value.Buffer, tensors.OutputGradient!.Buffer,
            context.BatchSize, Alpha.Length, tensors.InputGradients[0]?.Buffer, Alpha.Gradient.Buffer);
}
