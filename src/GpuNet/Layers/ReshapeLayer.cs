using GpuNet.Graph;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>
/// Keras's Reshape. The target shape is given in Keras's channels-last order: (28, 28, 1) is an
/// image of one channel, held internally channels-first as [1, 28, 28].
/// </summary>
public sealed class ReshapeLayer : Layer
{
    public ReshapeLayer(int[] targetShape)
    {
        if (targetShape.Length == 0 || targetShape.Any(d => d == 0 || d < -1) || targetShape.Count(d => d == -1) > 1)
            throw new GpuNetException($"Reshape: 'target_shape' must be positive sizes with at most one -1, got " +
                $"{Tensors.ShapeOf.Format(targetShape)}");
        TargetShape = targetShape;
    }

    /// <summary>Channels-last, as written in the config.</summary>
    public int[] TargetShape { get; }

    public override string TypeName => "Reshape";

    public override Value Build(LayerBuilder builder, Value input)
    {
        int[] internalShape = TargetShape.Length == 3 ? [TargetShape[2], TargetShape[0], TargetShape[1]] : TargetShape;
        return builder.Graph.Apply(new ReshapeOp(internalShape), input);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["target_shape"] = TargetShape };
}
