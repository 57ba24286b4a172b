using GpuNet.Kernels;

namespace GpuNet.Data.Augmentation;

/// <summary>
/// The random numbers one image's transforms draw, in order, from one Philox stream: a sample's
/// transform depends on (seed, stream) alone, never on which thread prepares it or what else was drawn.
/// </summary>
public sealed class TransformRandom(ulong seed, ulong stream)
{
    private ulong _next;

    /// <summary>Uniform in [0, 1).</summary>
    public float Uniform() => Philox.Uniform(seed, stream, _next++);

    /// <summary>Uniform in [low, high).</summary>
    public float Uniform(float low, float high) => low + (high - low) * Uniform();

    /// <summary>An integer uniform in [0, bound).</summary>
    public int Below(int bound) => Philox.Below(bound, seed, stream, _next++);
}
