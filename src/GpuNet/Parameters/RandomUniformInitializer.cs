using GpuNet.Kernels;

namespace GpuNet.Parameters;

/// <summary>Keras's RandomUniform(minval=-0.05, maxval=0.05).</summary>
public sealed class RandomUniformInitializer : Initializer
{
    public RandomUniformInitializer(float minval = -0.05f, float maxval = 0.05f)
    {
        if (!(minval <= maxval))
            throw new GpuNetException($"random_uniform: 'minval' ({minval}) must not exceed 'maxval' ({maxval})");
        Minimum = minval;
        Maximum = maxval;
    }

    public float Minimum { get; }

    public float Maximum { get; }

    public override string Name => "random_uniform";

    public override IReadOnlyDictionary<string, object> Arguments =>
        new Dictionary<string, object> { ["minval"] = Minimum, ["maxval"] = Maximum };

    public override void Fill(Span<float> values, int[] shape, int fanIn, int fanOut, ulong seed, ulong stream)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = Minimum + (Maximum - Minimum) * Philox.Uniform(seed, stream, (ulong)i);
    }
}
