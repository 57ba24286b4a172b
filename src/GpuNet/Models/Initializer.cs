using GpuNet.Random;

namespace GpuNet.Models;

/// <summary>
/// How a parameter's first values are drawn. Draws come from the counter-based generator, so
/// the same seed gives the same weights on every accelerator and thread count.
/// </summary>
public abstract class Initializer
{
    /// <summary>The Keras name, e.g. "glorot_uniform".</summary>
    public abstract string Name { get; }

    public abstract void Fill(Span<float> values, int fanIn, int fanOut, ulong seed, ulong stream);

    /// <summary>Arguments other than the name, for config round trips.</summary>
    public virtual IReadOnlyDictionary<string, object> Arguments => new Dictionary<string, object>();

    /// <summary>As a config writes it: the bare name, or the name mapped to its arguments.</summary>
    public object ToConfig() => Arguments.Count == 0 ? Name : new Dictionary<string, object> { [Name] = Arguments };

    public static Initializer GlorotUniform { get; } = new GlorotUniformInitializer();

    public static Initializer Zeros { get; } = new ConstantInitializer(0f, "zeros");

    public static Initializer Ones { get; } = new ConstantInitializer(1f, "ones");
}

/// <summary>Keras's default kernel initializer: U(−l, l) with l = √(6 / (fanIn + fanOut)).</summary>
public sealed class GlorotUniformInitializer : Initializer
{
    public override string Name => "glorot_uniform";

    public override void Fill(Span<float> values, int fanIn, int fanOut, ulong seed, ulong stream)
    {
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        for (int i = 0; i < values.Length; i++) values[i] = (2f * Philox.Uniform(seed, stream, (ulong)i) - 1f) * limit;
    }
}

/// <summary>Every element set to one value (zeros, ones, constant).</summary>
public sealed class ConstantInitializer(float value, string name = "constant") : Initializer
{
    public float Value { get; } = value;

    public override string Name { get; } = name;

    public override IReadOnlyDictionary<string, object> Arguments =>
        Name == "constant" ? new Dictionary<string, object> { ["value"] = Value } : new Dictionary<string, object>();

    public override void Fill(Span<float> values, int fanIn, int fanOut, ulong seed, ulong stream) => values.Fill(Value);
}
