using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;

namespace GpuNet.Layers;

/// <summary>
/// Keras's PReLU: x for x &gt; 0, alpha · x otherwise, with one learned slope per value of the
/// sample (Keras's default, no shared axes). Keras starts the slopes at zero: a ReLU.
/// </summary>
public sealed class PReluLayer(Initializer? alphaInitializer = null) : Layer
{
    public Initializer AlphaInitializer { get; } = alphaInitializer ?? Initializer.Zeros;

    public override string TypeName => "PReLU";

    public override string NameStem => "p_re_lu";

    public override Value Build(LayerBuilder builder, Value input)
    {
        Parameter alpha = builder.AddParameter("alpha", input.SampleShape, AlphaInitializer);
        return builder.Graph.Apply(new PReluOp(alpha), input);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["alpha_initializer"] = AlphaInitializer.ToConfig() };
}
