using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuNet.Kernels;
using static GpuNet.Kernels.Philox;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// Inverted dropout as the CPU accelerator runs it: Philox4x32-10 run on several counters at
/// once, one Philox block per 64-bit SIMD lane, so each element's draw is still the function of
/// (seed, stream, index) that <see cref="ReferenceDropout"/> (the reference), <see cref="Philox"/>
/// and the ILGPU dropout kernel compute, and the mask is the same bit for bit.
/// </summary>
/// <remarks>
/// A round multiplies the low 32 bits of two 64-bit lanes into their full 64-bit product
/// (vpmuludq, <see cref="Avx512F.Multiply(Vector512{uint}, Vector512{uint})"/>), which gives the
/// high and the low half of Philox's 32×32 products in one instruction. The upper half of every
/// other lane is left holding garbage between rounds, since the multiply reads only the lower half;
/// it is cleared once at the end. Where neither AVX-512 nor AVX2 is there the reference runs.
/// </remarks>
internal static class FastDropout
{
    /// <summary>Elements per work item: a multiple of every vector step, so no Philox block is split between
    /// threads.</summary>
    private const int Chunk = 1 << 14;

    /// <param name="afterRelu">The dropout of ReLU(x) (<see cref="IAccelerator.DropoutForward"/>).</param>
    public static void Forward(float[] x, int length, float rate, ulong seed, ulong stream, float[] y, float[] mask,
        bool afterRelu = false)
    {
        BufferChecks.CheckDropout(x, length, rate, y, mask);
        int chunks = (length + Chunk - 1) / Chunk;
        CpuParallel.For(chunks, Chunk * 4L, (x, length, rate, seed, stream, y, mask, afterRelu),
            static (in (float[] X, int Length, float Rate, ulong Seed, ulong Stream, float[] Y, float[] Mask,
                bool AfterRelu) s, int first, int last) =>
            Range(s.X, first * Chunk, Math.Min(s.Length, last * Chunk), s.Rate, s.Seed, s.Stream, s.Y, s.Mask,
                SimdWidth.Best, s.AfterRelu));
    }

    /// <summary>
    /// Dropout's backward over elements [start, end) of buffers already checked: dx += dy · mask, or where
    /// <paramref name="set"/> dx = 0 + dy · mask, the bits of adding to zeros without reading dx (the zero is added,
    /// not left out, so that a product of −0 comes out +0 as it does there).
    /// </summary>
    internal static void GradientRange(float[] dy, float[] mask, float[] dx, int start, int end, bool set)
    {
        ref float dys = ref MemoryMarshal.GetArrayDataReference(dy),
            masks = ref MemoryMarshal.GetArrayDataReference(mask), dxs = ref MemoryMarshal.GetArrayDataReference(dx);
        int i = start;
        for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector<float> before = set ? Vector<float>.Zero : Vector.LoadUnsafe(ref dxs, (nuint)i);
            (before + Vector.LoadUnsafe(ref dys, (nuint)i) * Vector.LoadUnsafe(ref masks, (nuint)i)).StoreUnsafe(
                ref dxs, (nuint)i);
        }
        for (; i < end; i++) dx[i] = (set ? 0f : dx[i]) + dy[i] * mask[i];
    }

    /// <summary>
    /// Elements [start, end), start a multiple of 4: whole vector steps of <paramref name="width"/>
    /// bits (<see cref="SimdWidth"/>: 512, 256, or 0 for none; tests run each the CPU has), then the reference for the
    /// rest.
    /// </summary>
    internal static void Range(float[] x, int start, int end, float rate, ulong seed, ulong stream, float[] y,
        float[] mask, int width, bool afterRelu = false)
    {
        SimdWidth.Require(width, "dropout");
        float scale = 1f / (1f - rate);
        int i = start;
        if (width == 512)
        {
            for (; i <= end - 32; i += 32) Draw512(x, i, rate, scale, seed, stream, y, mask, afterRelu);
        }
        else if (width == 256)
        {
            for (; i <= end - 32; i += 32) Draw256Twice(x, i, rate, scale, seed, stream, y, mask, afterRelu);
            for (; i <= end - 16; i += 16) Draw256(x, i, rate, scale, seed, stream, y, mask, afterRelu);
        }
        ReferenceDropout.Range(x, i, end, rate, scale, seed, stream, y, mask, afterRelu);
    }

    // Elements i … i + 31: eight blocks, lanes ordered 0, 4, 1, 5, 2, 6, 3, 7 so that the final
    // interleave of the even lanes gives elements i … i + 15 and of the odd ones i + 16 … i + 31.
    private static void Draw512(float[] x, int i, float rate, float scale, ulong seed, ulong stream, float[] y,
        float[] mask, bool afterRelu)
    {
        ulong block = (ulong)i >> 2;
        var blocks = Vector512.Create(block) + Vector512.Create(0UL, 4, 1, 5, 2, 6, 3, 7);
        Vector512<ulong> c0 = blocks, c1 = blocks >> 32, c2 = Vector512.Create((ulong)(uint)stream),
            c3 = Vector512.Create(stream >> 32);
        var ma = Vector512.Create((ulong)MultiplierA).AsUInt32();
        var mb = Vector512.Create((ulong)MultiplierB).AsUInt32();
        uint key0 = (uint)seed, key1 = (uint)(seed >> 32);
        for (int round = 0; round < Rounds; round++)
        {
            Vector512<ulong> productA = Avx512F.Multiply(c0.AsUInt32(), ma),
                productB = Avx512F.Multiply(c2.AsUInt32(), mb);
            c0 = (productB >> 32) ^ c1 ^ Vector512.Create((ulong)key0);
            c1 = productB;
            c2 = (productA >> 32) ^ c3 ^ Vector512.Create((ulong)key1);
            c3 = productA;
            key0 += KeyStepA;
            key1 += KeyStepB;
        }
        var low = Vector512.Create(0xFFFF_FFFFUL);
        Vector512<ulong> pairs01 = (c0 & low) | (c1 << 32), pairs23 = (c2 & low) | (c3 << 32);
        Keep512(Avx512F.UnpackLow(pairs01, pairs23).AsUInt32(), x, i, rate, scale, y, mask, afterRelu);
        Keep512(Avx512F.UnpackHigh(pairs01, pairs23).AsUInt32(), x, i + 16, rate, scale, y, mask, afterRelu);
    }

    private static void Keep512(Vector512<uint> bits, float[] x, int i, float rate, float scale, float[] y,
        float[] mask, bool afterRelu)
    {
        // The reference's (bits >> 8) · 2⁻²⁴ ≥ rate: a 24-bit integer converts to float exactly.
        var uniform = Vector512.ConvertToSingle((bits >> 8).AsInt32()) * Vector512.Create(UnitScale);
        var kept = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(uniform, Vector512.Create(rate)),
            Vector512.Create(scale), Vector512<float>.Zero);
        var values = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(x), (nuint)i);
        // After a ReLU, a value that is not positive keeps nothing; its product with the zeroed mask (−0 for a
        // negative value, NaN for NaN) is then replaced by +0, ReLU(x) · mask.
        var positive = afterRelu ? Vector512.GreaterThan(values, Vector512<float>.Zero).AsSingle()
            : Vector512<float>.AllBitsSet;
        kept &= positive;
        kept.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(mask), (nuint)i);
        ((values * kept) & positive).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(y), (nuint)i);
    }

    // Elements i … i + 15: four blocks, lanes ordered 0, 2, 1, 3 (the interleave works within 128-bit halves).
    private static void Draw256(float[] x, int i, float rate, float scale, ulong seed, ulong stream, float[] y,
        float[] mask, bool afterRelu)
    {
        ulong block = (ulong)i >> 2;
        var blocks = Vector256.Create(block) + Vector256.Create(0UL, 2, 1, 3);
        Vector256<ulong> c0 = blocks, c1 = blocks >> 32, c2 = Vector256.Create((ulong)(uint)stream),
            c3 = Vector256.Create(stream >> 32);
        var ma = Vector256.Create((ulong)MultiplierA).AsUInt32();
        var mb = Vector256.Create((ulong)MultiplierB).AsUInt32();
        uint key0 = (uint)seed, key1 = (uint)(seed >> 32);
        for (int round = 0; round < Rounds; round++)
        {
            Vector256<ulong> productA = Avx2.Multiply(c0.AsUInt32(), ma), productB = Avx2.Multiply(c2.AsUInt32(), mb);
            c0 = (productB >> 32) ^ c1 ^ Vector256.Create((ulong)key0);
            c1 = productB;
            c2 = (productA >> 32) ^ c3 ^ Vector256.Create((ulong)key1);
            c3 = productA;
            key0 += KeyStepA;
            key1 += KeyStepB;
        }
        KeepBlocks256(c0, c1, c2, c3, x, i, rate, scale, y, mask, afterRelu);
    }

    // Elements i … i + 31: Draw256 for i and for i + 16 together. A round is a chain of a multiply, a shift and two
    // xors, each waiting on the last; two independent chains keep the vector units busy while each waits (on Zen 3
    // the loop of one chain ran at about 5 cycles an element). The ten rounds are written out: as a loop, the JIT
    // kept four of the eight counters on the stack between rounds, and each round then waited on their stores.
    private static void Draw256Twice(float[] x, int i, float rate, float scale, ulong seed, ulong stream, float[] y,
        float[] mask, bool afterRelu)
    {
        ulong block = (ulong)i >> 2;
        var blocks = Vector256.Create(block) + Vector256.Create(0UL, 2, 1, 3);
        var blocksNext = blocks + Vector256.Create(4UL);
        Vector256<ulong> c2 = Vector256.Create((ulong)(uint)stream), c3 = Vector256.Create(stream >> 32);
        Vector256<ulong> c0 = blocks, c1 = blocks >> 32, d0 = blocksNext, d1 = blocksNext >> 32, d2 = c2, d3 = c3;
        uint key0 = (uint)seed, key1 = (uint)(seed >> 32);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 0);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 1);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 2);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 3);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 4);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 5);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 6);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 7);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 8);
        Round256Twice(ref c0, ref c1, ref c2, ref c3, ref d0, ref d1, ref d2, ref d3, key0, key1, 9);
        KeepBlocks256(c0, c1, c2, c3, x, i, rate, scale, y, mask, afterRelu);
        KeepBlocks256(d0, d1, d2, d3, x, i + 16, rate, scale, y, mask, afterRelu);
    }

    // Round number round of Philox on two sets of four blocks' counters (see Draw256).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round256Twice(ref Vector256<ulong> c0, ref Vector256<ulong> c1, ref Vector256<ulong> c2,
        ref Vector256<ulong> c3, ref Vector256<ulong> d0, ref Vector256<ulong> d1, ref Vector256<ulong> d2,
        ref Vector256<ulong> d3, uint key0, uint key1, int round)
    {
        var k0 = Vector256.Create((ulong)(key0 + (uint)round * KeyStepA));
        var k1 = Vector256.Create((ulong)(key1 + (uint)round * KeyStepB));
        var ma = Vector256.Create((ulong)MultiplierA).AsUInt32();
        var mb = Vector256.Create((ulong)MultiplierB).AsUInt32();
        Vector256<ulong> productA = Avx2.Multiply(c0.AsUInt32(), ma), productB = Avx2.Multiply(c2.AsUInt32(), mb);
        c0 = (productB >> 32) ^ c1 ^ k0;
        c1 = productB;
        c2 = (productA >> 32) ^ c3 ^ k1;
        c3 = productA;
        productA = Avx2.Multiply(d0.AsUInt32(), ma);
        productB = Avx2.Multiply(d2.AsUInt32(), mb);
        d0 = (productB >> 32) ^ d1 ^ k0;
        d1 = productB;
        d2 = (productA >> 32) ^ d3 ^ k1;
        d3 = productA;
    }

    // Elements i … i + 15 from the counters of four blocks (lanes ordered 0, 2, 1, 3): the low halves of the
    // counters hold the draws; interleaved, they come out in element order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KeepBlocks256(Vector256<ulong> c0, Vector256<ulong> c1, Vector256<ulong> c2,
        Vector256<ulong> c3, float[] x, int i, float rate, float scale, float[] y, float[] mask, bool afterRelu)
    {
        var low = Vector256.Create(0xFFFF_FFFFUL);
        Vector256<ulong> pairs01 = (c0 & low) | (c1 << 32), pairs23 = (c2 & low) | (c3 << 32);
        Keep256(Avx2.UnpackLow(pairs01, pairs23).AsUInt32(), x, i, rate, scale, y, mask, afterRelu);
        Keep256(Avx2.UnpackHigh(pairs01, pairs23).AsUInt32(), x, i + 8, rate, scale, y, mask, afterRelu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep256(Vector256<uint> bits, float[] x, int i, float rate, float scale, float[] y,
        float[] mask, bool afterRelu)
    {
        var uniform = Vector256.ConvertToSingle((bits >> 8).AsInt32()) * Vector256.Create(UnitScale);
        var kept = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(uniform, Vector256.Create(rate)),
            Vector256.Create(scale), Vector256<float>.Zero);
        var values = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(x), (nuint)i);
        // As Keep512: after a ReLU, nothing kept and +0 out where the value is not positive.
        var positive = afterRelu ? Vector256.GreaterThan(values, Vector256<float>.Zero).AsSingle()
            : Vector256<float>.AllBitsSet;
        kept &= positive;
        kept.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(mask), (nuint)i);
        ((values * kept) & positive).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(y), (nuint)i);
    }
}
