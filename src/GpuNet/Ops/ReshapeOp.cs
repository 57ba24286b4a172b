using GpuNet.Graph;
using GpuNet.Tensors;

namespace GpuNet.Ops;

/// <summary>The same memory seen with another per-sample shape (Reshape, Flatten): no work, no copy.</summary>
public sealed class ReshapeOp(int[] targetShape) : Op
{
    /// <summary>The per-sample shape; one entry may be −1, meaning "whatever is left".</summary>
    public int[] TargetShape { get; } = targetShape;

    public override string Name => "reshape";

    public override bool IsView => true;

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        int inputSize = ShapeOf.ElementCount(inputShapes[0]);
        int unknown = Array.IndexOf(TargetShape, -1);
        int known = ShapeOf.ElementCount(TargetShape.Where(d => d != -1).ToArray());
        int[] shape = (int[])TargetShape.Clone();
        if (unknown >= 0 && known > 0 && inputSize % known == 0) shape[unknown] = inputSize / known;
        if (ShapeOf.ElementCount(shape) != inputSize || shape.Any(d => d <= 0))
            throw new GpuNetException($"cannot reshape {ShapeOf.Format(inputShapes[0])} ({inputSize} values) to " +
                $"{ShapeOf.Format(TargetShape)}");
        return shape;
    }

    public override void Forward(OpContext context, OpTensors tensors) { }

    public override void Backward(OpContext context, OpTensors tensors) { }
}
