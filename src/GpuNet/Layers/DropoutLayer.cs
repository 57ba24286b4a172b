using GpuNet.Graph;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>Keras's Dropout: drops each value with probability rate in training (scaling the rest by 1 / (1 − rate));
/// the identity in evaluation.</summary>
public sealed class DropoutLayer : Layer
{
    public DropoutLayer(float rate)
    {
        if (!(rate >= 0f && rate < 1f)) throw new GpuNetException($"Dropout: 'rate' must be in [0, 1), got {rate}");
        Rate = rate;
    }

    public float Rate { get; }

    public override string TypeName => "Dropout";

    public override Value Build(LayerBuilder builder, Value input) => builder.Graph.Apply(new DropoutOp(Rate), input);

    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["rate"] = Rate };
}
