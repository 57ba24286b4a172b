using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>Keras's LeakyReLU layer: x for x &gt; 0, alpha·x otherwise (Keras's default alpha is 0.3).</summary>
public sealed class LeakyReluLayer : Layer
{
    public LeakyReluLayer(float alpha = 0.3f)
    {
        if (!(alpha >= 0f) || float.IsInfinity(alpha))
            throw new GpuNetException($"LeakyReLU: 'alpha' must be a finite number ≥ 0, got {alpha}");
        Alpha = alpha;
    }

    public float Alpha { get; }

    public override string TypeName => "LeakyReLU";

    public override string NameStem => "leaky_re_lu";

    public override Value Build(LayerBuilder builder, Value input) =>
        builder.Graph.Apply(new ActivationOp(ActivationKind.LeakyRelu, Alpha), input);

    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["alpha"] = Alpha };
}
