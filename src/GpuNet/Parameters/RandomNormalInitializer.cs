using GpuNet.Kernels;

namespace GpuNet.Parameters;

/// <summary>Keras's RandomNormal(mean=0.0, stddev=0.05).</summary>
public sealed class RandomNormalInitializer : Initializer
{
    public RandomNormalInitializer(float mean = 0f, float stddev = 0.05f)
    {
        if (!(stddev >= 0f) || !float.IsFinite(stddev))
            throw new GpuNetException($"random_normal: 'stddev' must be a number ≥ 0, got {stddev}");
        Mean = mean;
        StandardDeviation = stddev;
    }

    public float Mean { get; }

    public float StandardDeviation { get; }

    public override string Name => "random_normal";

    public override IReadOnlyDictionary<string, object> Arguments =>
        new Dictionary<string, object> { ["mean"] = Mean, ["stddev"] = StandardDeviation };

    public override void Fill(Span<float> values, int[] shape, int fanIn, int fanOut, ulong seed, ulong stream)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = Mean + StandardDeviation * Philox.Normal(seed, stream, (ulong)i);
    }
}
