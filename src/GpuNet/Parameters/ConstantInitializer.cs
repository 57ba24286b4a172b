namespace GpuNet.Parameters;

/// <summary>Every element set to one value (zeros, ones, constant).</summary>
public sealed class ConstantInitializer(float value, string name = "constant") : Initializer
{
    public float Value { get; } = value;

    public override string Name { get; } = name;

    public override IReadOnlyDictionary<string, object> Arguments =>
        Name == "constant" ? new Dictionary<string, object> { ["value"] = Value } : new Dictionary<string, object>();

    public override void Fill(Span<float> values, int[] shape, int fanIn, int fanOut, ulong seed, ulong stream) =>
        values.Fill(Value);
}
