using GpuNet.Accelerators;
using GpuNet.Graph;

namespace GpuNet.Ops;

/// <summary>An elementwise activation; any shape.</summary>
public sealed class ActivationOp(ActivationKind kind, float alpha = 0f) : Op
{
    public ActivationKind Kind { get; } = kind;

    /// <summary>The negative slope of leaky ReLU; unused by the others.</summary>
    public float Alpha { get; } = alpha;

    public override string Name => Kind.ToString().ToLowerInvariant();

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes) => inputShapes[0];

    public override void Forward(OpContext context, OpTensors tensors) =>
        context.Accelerator.ActivationForward(Kind, Alpha, tensors.Input.Buffer, tensors.Output.Length,
            tensors.Output.Buffer);

    public override bool CanSetInputGradient => true;

    public override bool IsRelu => Kind == ActivationKind.Relu;

    public override void Backward(OpContext context, OpTensors tensors)
    {
        if (tensors.InputGradients[0] is not { } dx) return;
        if (tensors.SetsInputGradient)
            context.Accelerator.ActivationBackwardSet(Kind, Alpha, tensors.Input.Buffer, tensors.Output.Buffer,
                tensors.OutputGradient!.Buffer, tensors.Output.Length, dx.Buffer);
        else
            context.Accelerator.ActivationBackward(Kind, Alpha, tensors.Input.Buffer, tensors.Output.Buffer,
                tensors.OutputGradient!.Buffer, tensors.Output.Length, dx.Buffer);
    }
}
