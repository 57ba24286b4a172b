using GpuNet.Kernels;

namespace GpuNet.Parameters;

/// <summary>
/// Keras's VarianceScaling, behind glorot_* and he_*: variance scale/n, where n is the fan-in,
/// fan-out or their mean. Uniform draws U(−l, l) with l = √(3·scale/n); normal draws a normal
/// truncated at two standard deviations, widened so its deviation is still √(scale/n).
/// </summary>
public sealed class VarianceScalingInitializer(string name, double scale, FanMode mode, bool uniform) : Initializer
{
    /// <summary>The standard deviation of N(0, 1) truncated to [−2, 2].</summary>
    private const double TruncatedDeviation = 0.87962566103423978;

    public override string Name { get; } = name;

    public override void Fill(Span<float> values, int[] shape, int fanIn, int fanOut, ulong seed, ulong stream)
    {
        double n = mode switch { FanMode.In => fanIn, FanMode.Out => fanOut, _ => (fanIn + fanOut) / 2.0 };
        double variance = scale / Math.Max(1.0, n);
        if (uniform)
        {
            double limit = Math.Sqrt(3 * variance);
            for (int i = 0; i < values.Length; i++)
                values[i] = (float)((2.0 * Philox.Uniform(seed, stream, (ulong)i) - 1.0) * limit);
            return;
        }
        double deviation = Math.Sqrt(variance) / TruncatedDeviation;
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(deviation * TruncatedStandardNormal(seed, stream, (ulong)i));
    }

    /// <summary>Redraws beyond ±2 from the element's own sub-sequence, so each element stays independent of the
    /// others.</summary>
    internal static double TruncatedStandardNormal(ulong seed, ulong stream, ulong index)
    {
        for (ulong attempt = 0; ; attempt++)
        {
            double x = Philox.Normal(seed, stream, index * 64 + attempt);
            if (Math.Abs(x) <= 2.0 || attempt == 63) return Math.Clamp(x, -2.0, 2.0);
        }
    }
}
