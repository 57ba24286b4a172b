namespace GpuNet.Kernels;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
/// counter-based generator, output = f(key, counter). Any element's number is computed
/// independently of every other, so a GPU thread running this very code in an ILGPU kernel and a
/// CPU loop draw the same dropout mask, and a resumed run draws what the uninterrupted one would.
/// </summary>
/// <remarks>
/// Written once, here: the ILGPU dropout kernel calls <see cref="Uniform"/>, the CPU reference
/// calls <see cref="Block"/>, and the CPU's SIMD twin runs the same rounds on vectors with the
/// constants below. Plain integer arithmetic only, so it compiles for every ILGPU backend.
/// </remarks>
public static class Philox
{
    /// <summary>The round's multipliers (Salmon et al.'s M0 and M1).</summary>
    public const uint MultiplierA = 0xD2511F53, MultiplierB = 0xCD9E8D57;

    /// <summary>The Weyl sequence that steps the key between rounds.</summary>
    public const uint KeyStepA = 0x9E3779B9, KeyStepB = 0xBB67AE85;

    /// <summary>Rounds per block (Philox4x32-10).</summary>
    public const int Rounds = 10;

    /// <summary>2⁻²⁴: the top 24 bits of a draw, scaled into [0, 1).</summary>
    public const float UnitScale = 1f / 16777216f;

    /// <summary>The four 32-bit outputs for one 128-bit counter under a 64-bit key.</summary>
    public static (uint, uint, uint, uint) Block(uint counter0, uint counter1, uint counter2, uint counter3, uint key0,
        uint key1)
    {
        for (int round = 0; round < Rounds; round++)
        {
            ulong productA = (ulong)MultiplierA * counter0;
            ulong productB = (ulong)MultiplierB * counter2;
            uint hiA = (uint)(productA >> 32), loA = (uint)productA;
            uint hiB = (uint)(productB >> 32), loB = (uint)productB;
            (counter0, counter1, counter2, counter3) = (hiB ^ counter1 ^ key0, loB, hiA ^ counter3 ^ key1, loA);
            key0 += KeyStepA;
            key1 += KeyStepB;
        }
        return (counter0, counter1, counter2, counter3);
    }

    /// <summary>
    /// 32 random bits for element <paramref name="index"/> of stream <paramref name="stream"/>.
    /// Four consecutive indices share one Philox block, one lane each.
    /// </summary>
    public static uint Bits(ulong seed, ulong stream, ulong index)
    {
        ulong block = index >> 2;
        var (x0, x1, x2, x3) = Block((uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32), (uint)seed,
            (uint)(seed >> 32));
        return (index & 3) switch { 0 => x0, 1 => x1, 2 => x2, _ => x3 };
    }

    /// <summary>A float uniform in [0, 1) from the top 24 bits, exactly representable.</summary>
    public static float Uniform(ulong seed, ulong stream, ulong index) => (Bits(seed, stream, index) >> 8) * UnitScale;

    /// <summary>A standard normal by Box–Muller from elements 2·index and 2·index + 1.</summary>
    public static float Normal(ulong seed, ulong stream, ulong index)
    {
        // 1 − u keeps the logarithm's argument in (0, 1].
        double u1 = 1.0 - Uniform(seed, stream, 2 * index);
        double u2 = Uniform(seed, stream, 2 * index + 1);
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>An integer uniform in [0, bound) by Lemire's multiply-shift (bias below 2⁻³²·bound).</summary>
    public static int Below(int bound, ulong seed, ulong stream, ulong index) =>
        (int)(((ulong)Bits(seed, stream, index) * (ulong)bound) >> 32);
}
