using GpuNet.Graph;

namespace GpuNet.Layers;

/// <summary>Keras's Activation layer: an activation on its own.</summary>
public sealed class ActivationLayer(string activation) : Layer
{
    public ActivationFunction Activation { get; } = ActivationFunction.Parse(activation);

    public override string TypeName => "Activation";

    public override Value Build(LayerBuilder builder, Value input) => Activation.Apply(builder.Graph, input);

    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["activation"] = Activation.Name };
}
