using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// Stores of the first lanes of a 256-bit vector without AVX's masked store: on AMD's Zen cores
/// <c>vmaskmovps</c> to memory is microcoded and costs about seven times a plain store (measured on
/// a Zen 3 EPYC: 7 ns against 1 ns for a load and store of eight floats), while a masked load is as
/// cheap as a plain one. Rows of 5, 11 or 13 pixels make short stores the common case in the
/// pooling and convolution kernels, so they go out as a 4-, a 2- and a 1-float store instead.
/// </summary>
internal static unsafe class PartialStores
{
    /// <summary>A mask of the first count lanes (none for count ≤ 0, all for count ≥ 8), for the masked load that
    /// goes with <see cref="StoreFirst"/> or the masked ops that stay cheap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FirstLanes(int count) =>
        Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();

    /// <summary>target [0, count) = the first count lanes of value (all eight for count ≥ 8, none for count ≤ 0);
    /// nothing past count is written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(float* target, Vector256<float> value, int count)
    {
        if (count >= 8)
        {
            Vector256.Store(value, target);
            return;
        }
        Vector128<float> part = value.GetLower();
        if (count >= 4)
        {
            Vector128.Store(part, target);
            part = value.GetUpper();
            target += 4;
            count -= 4;
        }
        if (count >= 2)
        {
            Sse.StoreLow(target, part);
            part = Sse.MoveHighToLow(part, part);
            target += 2;
            count -= 2;
        }
        if (count >= 1) Sse.StoreScalar(target, part);
    }
}
