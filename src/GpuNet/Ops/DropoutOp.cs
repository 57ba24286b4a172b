using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Random;

namespace GpuNet.Ops;

/// <summary>
/// Inverted dropout: in training each element is kept with probability 1 − rate and scaled by
/// 1 / (1 − rate), so evaluation is the identity. The mask is drawn from (seed, step, node), so
/// one step's forward and backward — and every accelerator — see the same mask.
/// </summary>
public sealed class DropoutOp : Op
{
    public DropoutOp(float rate)
    {
        if (!(rate >= 0f && rate < 1f)) throw new GpuNetException($"Dropout: 'rate' must be in [0, 1), got {rate}");
        Rate = rate;
    }

    public float Rate { get; }

    public override string Name => "dropout";

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes) => inputShapes[0];

    /// <summary>The mask: 0 or 1 / (1 − rate) per element.</summary>
    public override int WorkspaceLength(int batchSize, IReadOnlyList<int[]> inputShapes) =>
        checked(batchSize * Tensors.ShapeOf.ElementCount(inputShapes[0]));

    public override void Forward(OpContext context, OpTensors tensors)
    {
        var acc = context.Accelerator;
        int length = tensors.Output.Length;
        if (!context.Training)
        {
            acc.ActivationForward(Inference(tensors), 0f, tensors.Input.Buffer, length, tensors.Output.Buffer);
            return;
        }
        acc.DropoutForward(tensors.Input.Buffer, length, Rate, context.Seed,
            RandomStreams.Dropout(context.Step, context.NodeIndex), tensors.Output.Buffer, tensors.Workspace!.Buffer,
            afterRelu: tensors.FusesRelu);
    }

    /// <summary>
    /// Dropout of a ReLU's output is the ReLU of the dropout's (the mask is never negative), so a Dense layer's
    /// ReLU runs here: in training the mask takes in the ReLU's gradient too, zero where x is not positive, and the
    /// backward stays dy · mask (<see cref="IAccelerator.DropoutForward"/>); in evaluation it is the ReLU.
    /// </summary>
    public override bool CanFuseRelu => true;

    /// <summary>The mask holds the fused ReLU's gradient: no buffer of its own is needed.</summary>
    public override bool NeedsFusedReluGradient => false;

    // What dropout is outside training: the identity, or the ReLU fused into it.
    private static ActivationKind Inference(OpTensors tensors) =>
        tensors.FusesRelu ? ActivationKind.Relu : ActivationKind.Linear;

    /// <summary>dx = dy · mask overwrites as cheaply as it adds.</summary>
    public override bool CanSetInputGradient => true;

    public override void Backward(OpContext context, OpTensors tensors)
    {
        if (tensors.InputGradients[0] is not { } dx) return;
        var acc = context.Accelerator;
        int length = tensors.Output.Length;
        DeviceBuffer dy = tensors.OutputGradient!.Buffer;
        bool set = tensors.SetsInputGradient;
        if (context.Training)
        {
            if (set) acc.DropoutBackwardSet(dy, tensors.Workspace!.Buffer, length, dx.Buffer);
            else acc.DropoutBackward(dy, tensors.Workspace!.Buffer, length, dx.Buffer);
        }
        else if (set)
            acc.ActivationBackwardSet(Inference(tensors), 0f, tensors.Input.Buffer, tensors.Output.Buffer, dy,
                length, dx.Buffer);
        else
            acc.ActivationBackward(Inference(tensors), 0f, tensors.Input.Buffer, tensors.Output.Buffer, dy, length,
                dx.Buffer);
    }
}
