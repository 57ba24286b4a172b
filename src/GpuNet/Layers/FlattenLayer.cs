using GpuNet.Graph;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>Keras's Flatten: every sample becomes one vector. A view: no copy is made.</summary>
public sealed class FlattenLayer : Layer
{
    public override string TypeName => "Flatten";

    public override Value Build(LayerBuilder builder, Value input) =>
        builder.Graph.Apply(new ReshapeOp([Tensors.ShapeOf.ElementCount(input.SampleShape)]), input);

    public override IReadOnlyDictionary<string, object?> GetConfig() => new Dictionary<string, object?>();
}
