using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The kernel and input gradients of a convolution whose output a max pooling reads, from the nonzero dy alone, on
/// 256-bit vectors (their sums on 512-bit ones on the AVX-512 path). A pooling window passes its gradient to one
/// position per filter, so a 2×2 pooling leaves three quarters of each dy plane zero (more where the fused ReLU is
/// off), and the dense forms' tiles (<see cref="GemmMicroKernels.Tile6x16Elements"/>, <see
/// cref="GemmMicroKernels.Tile6x16"/>) multiply those zeros like any other value. Here every sum runs over the nonzero
/// values only, in the order the dense form takes them, each one chain of multiply-adds as there, and the sums are
/// added into dx in the dense form's order. A skipped product would have added ±0 to a sum that is never −0 (it starts
/// at +0, and a sum that rounds to zero is +0), so the results are the dense forms' bit for bit wherever the layer's
/// input and kernel are finite.
/// </summary>
/// <remarks>
/// Kernel gradient: channels-last, a window row's kw·C patch elements are contiguous, and each run of up to 12
/// vectors of it is summed in registers over a filter's nonzero positions, one broadcast of dy and one load of
/// pixels per vector. Input gradient: each position's nonzero filters run over six slivers of the kernel at a time,
/// one broadcast of dy per 12 multiply-adds.
/// </remarks>
internal static unsafe class SparsePooledGradient
{
    /// <summary>Whether the kernel gradient of this geometry, behind a max pooling, takes this form: with every window
    /// inside the image and each window row whole vectors (channels in eights). An AVX-512 machine takes it too, on
    /// its 256-bit vectors: on a Xeon the MNIST CNNs' second layers took a seventh to a half less time than with the
    /// gathered 8 × 32 tiles.</summary>
    public static bool ServesKernelGradient(Window2D g, GemmKernelKind kind) =>
        kind is GemmKernelKind.Vector256 or GemmKernelKind.Vector512 && g.WindowsInsideImage && g.Channels % 8 == 0;

    /// <summary>
    /// partial [F, stride] at column (i·kw + j)·C + c = Σ over the chunk's positions, in order, of dy × patch element
    /// (c, i, j): <paramref name="pixels"/> the chunk's images channels-last [n, H, W, C], <paramref name="dy"/> its
    /// dy [n, F, OH, OW]. On the AVX-512 path (<paramref name="kind"/>) a window row's products run on 512-bit vectors
    /// (<see cref="Products512{TVectors}"/>): the same chains, lane by lane, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelGradient(float* pixels, float* dy, Window2D g, int images, int filters, float* partial,
        int stride, GemmKernelKind kind)
    {
        bool wide = kind == GemmKernelKind.Vector512;
        int plane = g.OutputPlane, imageLength = g.Channels * g.InputPlane;
        int rowLength = g.WindowWidth * g.Channels, rowStride = g.Width * g.Channels;
        int[] cornerArray = FastConvolution.Scratch(ref t_corners, plane),
            cornerOfArray = FastConvolution.Scratch(ref t_cornerOf, plane);
        float[] valueArray = FastConvolution.Scratch(ref t_values, plane);
        for (int q = 0; q < plane; q++) cornerOfArray[q] = g.ChannelsLastCorner(q);
        fixed (int* corners = cornerArray, cornerOf = cornerOfArray)
        fixed (float* values = valueArray)
        {
            // Image by image, so that the image's pixels (18–22 KB for the MNIST CNNs' second layers) stay in L1
            // while every filter runs over them; each sum goes on from one image to the next through partial.
            for (int n = 0; n < images; n++)
            {
                float* image = pixels + (nint)n * imageLength;
                for (int f = 0; f < filters; f++)
                {
                    int count = NonzeroOf(dy + ((nint)n * filters + f) * plane, plane, cornerOf, corners, values);
                    // Nothing to add to the sums so far; the first image still writes its zeros.
                    if (count == 0 && n > 0) continue;
                    bool add = n > 0;
                    float* target = partial + (nint)f * stride;
                    for (int i = 0; i < g.WindowHeight; i++)
                    {
                        float* row = image + (nint)i * rowStride, into = target + i * rowLength;
                        int e = wide ? Products512(row, corners, values, count, into, add, rowLength) : 0;
                        for (; e + 96 <= rowLength; e += 96) Products12(row + e, corners, values, count, into + e, add);
                        for (; e + 64 <= rowLength; e += 64) Products8(row + e, corners, values, count, into + e, add);
                        for (; e + 32 <= rowLength; e += 32) Products4(row + e, corners, values, count, into + e, add);
                        for (; e < rowLength; e += 8) Products1(row + e, corners, values, count, into + e, add);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The products of a window row's first elements in multiples of 16, on 512-bit vectors, as many as twelve at a
    /// time (Chollet's second layer: a row of 96 floats in 6 vectors; the two-block CNN's: 160 in 10); returns how many
    /// elements were done. The 256-bit kernels take the rest. Alternated call by call with the 256-bit products on the
    /// Xeon, the kernel gradient of the two-block CNN's second layer took 1.48–1.54 against 1.79–1.83 ms (median),
    /// Chollet's second 1.66 against 1.77 ms.
    /// </summary>
    private static int Products512(float* row, int* corners, float* values, int count, float* target, bool add,
        int rowLength)
    {
        int e = 0;
        for (; e + 192 <= rowLength; e += 192)
            Products512<Twelve>(row + e, corners, values, count, target + e, add);
        switch ((rowLength - e) / 16)
        {
            case 11 or 10: Products512<Ten>(row + e, corners, values, count, target + e, add); return e + 160;
            case 9 or 8: Products512<Eight>(row + e, corners, values, count, target + e, add); return e + 128;
            case 7 or 6: Products512<Six>(row + e, corners, values, count, target + e, add); return e + 96;
            case 5 or 4: Products512<Four>(row + e, corners, values, count, target + e, add); return e + 64;
            case 3 or 2: Products512<Two>(row + e, corners, values, count, target + e, add); return e + 32;
            case 1: Products512<One>(row + e, corners, values, count, target + e, add); return e + 16;
            default: return e;
        }
    }

    /// <summary>How many 512-bit vectors a <see cref="Products512{TVectors}"/> sums side by side: a constant of the
    /// compiled method, so the accumulators it does not use are compiled out.</summary>
    private interface IVectorCount
    {
        static abstract int Count { get; }
    }

    private readonly struct One : IVectorCount { public static int Count => 1; }

    private readonly struct Two : IVectorCount { public static int Count => 2; }

    private readonly struct Four : IVectorCount { public static int Count => 4; }

    private readonly struct Six : IVectorCount { public static int Count => 6; }

    private readonly struct Eight : IVectorCount { public static int Count => 8; }

    private readonly struct Ten : IVectorCount { public static int Count => 10; }

    private readonly struct Twelve : IVectorCount { public static int Count => 12; }

    // target [16·k] = Σ over the listed positions p of values[p] × row [16·k] at corners[p], k = TVectors.Count, as
    // Products12 does on 256-bit vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products512<TVectors>(float* row, int* corners, float* values, int count, float* target,
        bool add)
        where TVectors : struct, IVectorCount
    {
        int k = TVectors.Count;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        if (add)
        {
            a0 = Vector512.Load(target);
            if (k > 1) a1 = Vector512.Load(target + 16);
            if (k > 2) (a2, a3) = (Vector512.Load(target + 32), Vector512.Load(target + 48));
            if (k > 4) (a4, a5) = (Vector512.Load(target + 64), Vector512.Load(target + 80));
            if (k > 6) (a6, a7) = (Vector512.Load(target + 96), Vector512.Load(target + 112));
            if (k > 8) (a8, a9) = (Vector512.Load(target + 128), Vector512.Load(target + 144));
            if (k > 10) (a10, a11) = (Vector512.Load(target + 160), Vector512.Load(target + 176));
        }
        for (int p = 0; p < count; p++)
        {
            float* x = row + corners[p];
            Vector512<float> v = Vector512.Create(values[p]);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(x), v, a0);
            if (k > 1) a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 16), v, a1);
            if (k > 2)
            {
                a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 32), v, a2);
                a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 48), v, a3);
            }
            if (k > 4)
            {
                a4 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 64), v, a4);
                a5 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 80), v, a5);
            }
            if (k > 6)
            {
                a6 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 96), v, a6);
                a7 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 112), v, a7);
            }
            if (k > 8)
            {
                a8 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 128), v, a8);
                a9 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 144), v, a9);
            }
            if (k > 10)
            {
                a10 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 160), v, a10);
                a11 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + 176), v, a11);
            }
        }
        Vector512.Store(a0, target);
        if (k > 1) Vector512.Store(a1, target + 16);
        if (k > 2) { Vector512.Store(a2, target + 32); Vector512.Store(a3, target + 48); }
        if (k > 4) { Vector512.Store(a4, target + 64); Vector512.Store(a5, target + 80); }
        if (k > 6) { Vector512.Store(a6, target + 96); Vector512.Store(a7, target + 112); }
        if (k > 8) { Vector512.Store(a8, target + 128); Vector512.Store(a9, target + 144); }
        if (k > 10) { Vector512.Store(a10, target + 160); Vector512.Store(a11, target + 176); }
    }

    /// <summary>The nonzero values of plane [length] in order and their window corners (cornerOf[q]); returns how
    /// many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NonzeroOf(float* plane, int length, int* cornerOf, int* corners, float* values)
    {
        int count = 0;
        for (int q0 = 0; q0 < length; q0 += 8)
            for (uint mask = NonzeroLanes(plane + q0, Math.Min(8, length - q0)); mask != 0; mask &= mask - 1)
            {
                int q = q0 + BitOperations.TrailingZeroCount(mask);
                corners[count] = cornerOf[q];
                values[count++] = plane[q];
            }
        return count;
    }

    // target [8·k] = Σ over the listed positions p of values[p] × row [8·k] at corners[p], each element one chain of
    // multiply-adds from +0, or, where add is set, on from target's values.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products12(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        if (add)
        {
            (a0, a1, a2, a3) = (Vector256.Load(target), Vector256.Load(target + 8), Vector256.Load(target + 16),
                Vector256.Load(target + 24));
            (a4, a5, a6, a7) = (Vector256.Load(target + 32), Vector256.Load(target + 40), Vector256.Load(target + 48),
                Vector256.Load(target + 56));
            (a8, a9, a10, a11) = (Vector256.Load(target + 64), Vector256.Load(target + 72),
                Vector256.Load(target + 80), Vector256.Load(target + 88));
        }
        for (int p = 0; p < count; p++)
        {
            float* x = row + corners[p];
            Vector256<float> v = Vector256.Create(values[p]);
            a0 = Fma.MultiplyAdd(Vector256.Load(x), v, a0); a1 = Fma.MultiplyAdd(Vector256.Load(x + 8), v, a1);
            a2 = Fma.MultiplyAdd(Vector256.Load(x + 16), v, a2); a3 = Fma.MultiplyAdd(Vector256.Load(x + 24), v, a3);
            a4 = Fma.MultiplyAdd(Vector256.Load(x + 32), v, a4); a5 = Fma.MultiplyAdd(Vector256.Load(x + 40), v, a5);
            a6 = Fma.MultiplyAdd(Vector256.Load(x + 48), v, a6); a7 = Fma.MultiplyAdd(Vector256.Load(x + 56), v, a7);
            a8 = Fma.MultiplyAdd(Vector256.Load(x + 64), v, a8); a9 = Fma.MultiplyAdd(Vector256.Load(x + 72), v, a9);
            a10 = Fma.MultiplyAdd(Vector256.Load(x + 80), v, a10);
            a11 = Fma.MultiplyAdd(Vector256.Load(x + 88), v, a11);
        }
        Vector256.Store(a0, target); Vector256.Store(a1, target + 8); Vector256.Store(a2, target + 16);
        Vector256.Store(a3, target + 24); Vector256.Store(a4, target + 32); Vector256.Store(a5, target + 40);
        Vector256.Store(a6, target + 48); Vector256.Store(a7, target + 56); Vector256.Store(a8, target + 64);
        Vector256.Store(a9, target + 72); Vector256.Store(a10, target + 80); Vector256.Store(a11, target + 88);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products8(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<float> a4 = default, a5 = default, a6 = default, a7 = default;
        if (add)
        {
            (a0, a1, a2, a3) = (Vector256.Load(target), Vector256.Load(target + 8), Vector256.Load(target + 16),
                Vector256.Load(target + 24));
            (a4, a5, a6, a7) = (Vector256.Load(target + 32), Vector256.Load(target + 40), Vector256.Load(target + 48),
                Vector256.Load(target + 56));
        }
        for (int p = 0; p < count; p++)
        {
            float* x = row + corners[p];
            Vector256<float> v = Vector256.Create(values[p]);
            a0 = Fma.MultiplyAdd(Vector256.Load(x), v, a0); a1 = Fma.MultiplyAdd(Vector256.Load(x + 8), v, a1);
            a2 = Fma.MultiplyAdd(Vector256.Load(x + 16), v, a2); a3 = Fma.MultiplyAdd(Vector256.Load(x + 24), v, a3);
            a4 = Fma.MultiplyAdd(Vector256.Load(x + 32), v, a4); a5 = Fma.MultiplyAdd(Vector256.Load(x + 40), v, a5);
            a6 = Fma.MultiplyAdd(Vector256.Load(x + 48), v, a6); a7 = Fma.MultiplyAdd(Vector256.Load(x + 56), v, a7);
        }
        Vector256.Store(a0, target); Vector256.Store(a1, target + 8); Vector256.Store(a2, target + 16);
        Vector256.Store(a3, target + 24); Vector256.Store(a4, target + 32); Vector256.Store(a5, target + 40);
        Vector256.Store(a6, target + 48); Vector256.Store(a7, target + 56);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products4(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        if (add)
            (a0, a1, a2, a3) = (Vector256.Load(target), Vector256.Load(target + 8), Vector256.Load(target + 16),
                Vector256.Load(target + 24));
        for (int p = 0; p < count; p++)
        {
            float* x = row + corners[p];
            Vector256<float> v = Vector256.Create(values[p]);
            a0 = Fma.MultiplyAdd(Vector256.Load(x), v, a0); a1 = Fma.MultiplyAdd(Vector256.Load(x + 8), v, a1);
            a2 = Fma.MultiplyAdd(Vector256.Load(x + 16), v, a2); a3 = Fma.MultiplyAdd(Vector256.Load(x + 24), v, a3);
        }
        Vector256.Store(a0, target); Vector256.Store(a1, target + 8); Vector256.Store(a2, target + 16);
        Vector256.Store(a3, target + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products1(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = add ? Vector256.Load(target) : default;
        for (int p = 0; p < count; p++)
            a0 = Fma.MultiplyAdd(Vector256.Load(row + corners[p]), Vector256.Create(values[p]), a0);
        Vector256.Store(a0, target);
    }

    /// <summary>
    /// The input gradient of one image from its dy [F, OH, OW], added into its channels-last dx at sliver s's offset
    /// from each position's window corner, for every sliver of the kernel packed [s][F][16] (<see
    /// cref="ChannelsLastInputGradient.PackKernel"/>): what the dense tiles of <see cref="GemmMicroKernels.Tile6x16"/>
    /// give, added in their order (tiles of six positions in turn, in each its slivers in turn, in each its
    /// positions), with each position's sums taken over its nonzero filters only.
    /// </summary>
    /// <remarks>
    /// Six slivers at a time (12–24 KB of the kernel, kept in L1), every position's terms run over them, one broadcast
    /// of dy for 12 multiply-adds; the sums wait in a scratch [positions][slivers][16] to be added in the dense order.
    /// The dense tiles instead stream the whole kernel (73–100 KB for the MNIST CNNs' second layers) from L2 for
    /// each tile of six positions.
    /// </remarks>
    /// <returns>False, having done nothing, where the nonzero values are too many to pay.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool InputGradient(float* dy, float* packed, Window2D g, int filters, int slivers, float* image,
        int* sliverOffsets, GemmKernelKind kind)
    {
        int plane = g.OutputPlane;
        int[] countArray = FastConvolution.Scratch(ref t_termCounts, plane),
            offsetArray = FastConvolution.Scratch(ref t_termOffsets, plane * filters),
            cornerArray = FastConvolution.Scratch(ref t_cornerOf, plane);
        float[] valueArray = FastConvolution.Scratch(ref t_termValues, plane * filters),
            sumArray = FastConvolution.Scratch(ref t_sums, plane * slivers * 16);
        fixed (int* counts = countArray, offsets = offsetArray, corners = cornerArray)
        fixed (float* values = valueArray, sums = sumArray)
        {
            // Each position's terms, filter by filter: position q's at q·F, its values and kernel offsets (f·16).
            new Span<int>(counts, plane).Clear();
            int total = 0;
            for (int f = 0; f < filters; f++)
            {
                float* row = dy + (nint)f * plane;
                for (int q0 = 0; q0 < plane; q0 += 8)
                    for (uint mask = NonzeroLanes(row + q0, Math.Min(8, plane - q0)); mask != 0; mask &= mask - 1)
                    {
                        int q = q0 + BitOperations.TrailingZeroCount(mask), at = q * filters + counts[q]++;
                        values[at] = row[q];
                        offsets[at] = f * 16;
                    }
            }
            for (int q = 0; q < plane; q++) total += counts[q];
            // A term is 12 multiply-adds for six slivers where a dense step is 12 for six positions, so terms pay
            // until they near the dense steps' count; past half, keep the dense tiles.
            if (2 * total > plane * filters) return false;
            nint stride = (nint)filters * 16;
            int s = kind == GemmKernelKind.Vector512 ? Slivers512(packed, stride, values, offsets, counts, plane,
                filters, slivers, sums) : 0;
            for (; s + 6 <= slivers; s += 6)
                for (int q = 0; q < plane; q++)
                    Slivers6(packed + s * stride, stride, values + q * filters, offsets + q * filters, counts[q],
                        sums + ((nint)q * slivers + s) * 16);
            for (; s < slivers; s++)
                for (int q = 0; q < plane; q++)
                    Slivers1(packed + s * stride, values + q * filters, offsets + q * filters, counts[q],
                        sums + ((nint)q * slivers + s) * 16);
            for (int q = 0; q < plane; q++) corners[q] = g.ChannelsLastCorner(q);
            for (int q0 = 0; q0 < plane; q0 += TileRows)
            {
                int count = Math.Min(TileRows, plane - q0);
                for (int sliver = 0; sliver < slivers; sliver++)
                {
                    float* at = image + sliverOffsets[sliver];
                    for (int q = q0; q < q0 + count; q++)
                    {
                        float* from = sums + ((nint)q * slivers + sliver) * 16;
                        GemmMicroKernels.AddRow(at + corners[q], Vector256.Load(from), Vector256.Load(from + 8));
                    }
                }
            }
        }
        return true;
    }

    /// <summary>A mask of which of the first <paramref name="count"/> (at most 8) values are nonzero: eight at once
    /// from a compare (most are zero, and the mask says which are not), fewer one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint NonzeroLanes(float* values, int count)
    {
        if (count == 8)
            return (uint)Vector256.ExtractMostSignificantBits(
                ~Vector256.Equals(Vector256.Load(values), Vector256<float>.Zero));
        uint mask = 0;
        for (int k = 0; k < count; k++)
            if (values[k] != 0f) mask |= 1u << k;
        return mask;
    }

    private const int TileRows = 6;

    /// <summary>
    /// Every position's sums over its terms for the slivers [0, returned count), on 512-bit vectors, a sliver's 16
    /// channels to a vector and up to twelve slivers at a time: the 256-bit kernels' chains lane by lane, so the same
    /// sums. Alternated call by call with the 256-bit kernels on the Xeon, the two-block CNN's second layer's input
    /// gradient took 2.03–2.33 against 2.16–2.71 ms (median); Chollet's second, whose terms are fewer, as long.
    /// </summary>
    private static int Slivers512(float* packed, nint stride, float* values, int* offsets, int* counts, int plane,
        int filters, int slivers, float* sums)
    {
        int s = 0;
        while (s < slivers)
        {
            int width = Math.Min(12, slivers - s) switch { 12 => 12, 11 or 10 => 10, 9 or 8 => 8, 7 or 6 => 6,
                5 or 4 => 4, 3 or 2 => 2, _ => 1 };
            float* block = packed + s * stride;
            for (int q = 0; q < plane; q++)
            {
                float* v = values + q * filters, target = sums + ((nint)q * slivers + s) * 16;
                int* o = offsets + q * filters;
                switch (width)
                {
                    case 12: Slivers512<Twelve>(block, stride, v, o, counts[q], target); break;
                    case 10: Slivers512<Ten>(block, stride, v, o, counts[q], target); break;
                    case 8: Slivers512<Eight>(block, stride, v, o, counts[q], target); break;
                    case 6: Slivers512<Six>(block, stride, v, o, counts[q], target); break;
                    case 4: Slivers512<Four>(block, stride, v, o, counts[q], target); break;
                    case 2: Slivers512<Two>(block, stride, v, o, counts[q], target); break;
                    default: Slivers512<One>(block, stride, v, o, counts[q], target); break;
                }
            }
            s += width;
        }
        return s;
    }

    // target [k][16] = for each of k = TVectors.Count slivers at block + i·stride, Σ over the terms of values[t] × the
    // sliver's row at offsets[t], as Slivers6 sums them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Slivers512<TVectors>(float* block, nint stride, float* values, int* offsets, int terms,
        float* target)
        where TVectors : struct, IVectorCount
    {
        int n = TVectors.Count;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (int t = 0; t < terms; t++)
        {
            Vector512<float> v = Vector512.Create(values[t]);
            float* k = block + offsets[t];
            c0 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k), c0);
            if (n > 1) c1 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + stride), c1);
            if (n > 2)
            {
                c2 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 2 * stride), c2);
                c3 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 3 * stride), c3);
            }
            if (n > 4)
            {
                c4 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 4 * stride), c4);
                c5 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 5 * stride), c5);
            }
            if (n > 6)
            {
                c6 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 6 * stride), c6);
                c7 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 7 * stride), c7);
            }
            if (n > 8)
            {
                c8 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 8 * stride), c8);
                c9 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 9 * stride), c9);
            }
            if (n > 10)
            {
                c10 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 10 * stride), c10);
                c11 = Avx512F.FusedMultiplyAdd(v, Vector512.Load(k + 11 * stride), c11);
            }
        }
        Vector512.Store(c0, target);
        if (n > 1) Vector512.Store(c1, target + 16);
        if (n > 2) { Vector512.Store(c2, target + 32); Vector512.Store(c3, target + 48); }
        if (n > 4) { Vector512.Store(c4, target + 64); Vector512.Store(c5, target + 80); }
        if (n > 6) { Vector512.Store(c6, target + 96); Vector512.Store(c7, target + 112); }
        if (n > 8) { Vector512.Store(c8, target + 128); Vector512.Store(c9, target + 144); }
        if (n > 10) { Vector512.Store(c10, target + 160); Vector512.Store(c11, target + 176); }
    }

    // target [6][16] = for each of six slivers at block + k·stride, Σ over the terms of values[t] × the sliver's row
    // at offsets[t], each element one chain of multiply-adds from +0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Slivers6(float* block, nint stride, float* values, int* offsets, int terms, float* target)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int t = 0; t < terms; t++)
        {
            Vector256<float> v = Vector256.Create(values[t]);
            float* k = block + offsets[t];
            c00 = Fma.MultiplyAdd(v, Vector256.Load(k), c00); c01 = Fma.MultiplyAdd(v, Vector256.Load(k + 8), c01);
            k += stride;
            c10 = Fma.MultiplyAdd(v, Vector256.Load(k), c10); c11 = Fma.MultiplyAdd(v, Vector256.Load(k + 8), c11);
            k += stride;
            c20 = Fma.MultiplyAdd(v, Vector256.Load(k), c20); c21 = Fma.MultiplyAdd(v, Vector256.Load(k + 8), c21);
            k += stride;
            c30 = Fma.MultiplyAdd(v, Vector256.Load(k), c30); c31 = Fma.MultiplyAdd(v, Vector256.Load(k + 8), c31);
            k += stride;
            c40 = Fma.MultiplyAdd(v, Vector256.Load(k), c40); c41 = Fma.MultiplyAdd(v, Vector256.Load(k + 8), c41);
            k += stride;
            c50 = Fma.MultiplyAdd(v, Vector256.Load(k), c50); c51 = Fma.MultiplyAdd(v, Vector256.Load(k + 8), c51);
        }
        GemmMicroKernels.StoreTile6x16(target, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Slivers1(float* sliver, float* values, int* offsets, int terms, float* target)
    {
        Vector256<float> c0 = default, c1 = default;
        for (int t = 0; t < terms; t++)
        {
            Vector256<float> v = Vector256.Create(values[t]);
            float* k = sliver + offsets[t];
            c0 = Fma.MultiplyAdd(v, Vector256.Load(k), c0);
            c1 = Fma.MultiplyAdd(v, Vector256.Load(k + 8), c1);
        }
        Vector256.Store(c0, target);
        Vector256.Store(c1, target + 8);
    }

    // Per thread: the nonzero dy of one filter and image (window corners and values), each position's corner; an
    // image's terms per position (how many, values, kernel offsets) and its sums per position and sliver.
    [ThreadStatic] private static int[]? t_corners;
    [ThreadStatic] private static int[]? t_cornerOf;
    [ThreadStatic] private static float[]? t_values;
    [ThreadStatic] private static int[]? t_termCounts;
    [ThreadStatic] private static int[]? t_termOffsets;
    [ThreadStatic] private static float[]? t_termValues;
    [ThreadStatic] private static float[]? t_sums;
}
