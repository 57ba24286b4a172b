using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// Copies blocks of op(A) and op(B) into the layouts the micro-kernels stream through. All four
/// transpose cases are resolved here, so there is a single micro-kernel per instruction set.
/// </summary>
/// <remarks>
/// A block of A is rows [i0, i0 + rows) of op(A) over depth [p0, p0 + kc), cut into slivers of MR
/// rows, each stored [kc, MR]: the MR values of one depth step side by side. A sliver of B is NR
/// columns of op(B) over the same depth, stored [kc, NR]. Rows and columns past the edge of the
/// matrix are zero, so the kernels always run whole tiles.
/// Packing and the loops around the micro-kernels are compiled fully optimised from the first
/// call (<see cref="MethodImplOptions.AggressiveOptimization"/>): a tier-0 packing loop is many
/// times slower, and a layer's first few steps would otherwise run on it.
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A) rows [i0, i0 + rows), depth [p0, p0 + kc) into <paramref name="block"/>:
    /// ⌈rows / tileRows⌉ slivers, each [kc, tileRows]. a is [m, k], or [k, m] when transposed.
    /// A tile narrower than a vector (AVX2's six rows) may write up to eight floats past the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transposeA, float* a, int m, int k, int i0, int rows, int p0, int kc, int tileRows,
        float* block)
    {
        if (transposeA)
        {
            // op(A)(i, p) = a[p, i]: each depth step is a contiguous run of rows. Walking the block
            // one depth step at a time reads a row of a straight through, one sliver's piece after
            // another, rather than one sliver at a time down kc rows of a (a page apiece when m is large).
            float* source = a + (nint)p0 * m + i0;
            for (int p = 0; p < kc; p++, source += m)
            {
                float* target = block + p * tileRows;
                // A sliver narrower than a vector (AVX2's six rows) takes a whole vector a step (CopyStep): copied
                // element by element, op(A) of a 256 × 256 × 100 kernel gradient took a tenth to a sixth of the
                // product's time on one thread.
                bool wholeVectors = tileRows < Lanes && p + 1 < kc && Vector256.IsHardwareAccelerated;
                for (int ir = 0; ir < rows; ir += tileRows, target += (nint)kc * tileRows)
                {
                    int count = Math.Min(tileRows, rows - ir);
                    if (wholeVectors && count == tileRows) CopyStep(source + ir, target);
                    else CopyRow(source + ir, count, target, tileRows);
                }
            }
            return;
        }
        for (int ir = 0; ir < rows; ir += tileRows, block += (nint)kc * tileRows)
            TransposeRows(a + (nint)(i0 + ir) * k + p0, k, Math.Min(tileRows, rows - ir), kc, block, tileRows,
                mayOverrun: true);
    }

    /// <summary>
    /// Packs six rows of a row-major a (<paramref name="a"/> at the first one's first step, <paramref name="lda"/>
    /// floats apart) at the depth steps <paramref name="steps"/> [count] alone into <paramref name="sliver"/>
    /// [count, 6]: the sliver <see cref="PackA"/> and <see cref="GemmZeroSteps.Compact"/> make of them, from the list
    /// <see cref="GemmZeroSteps.ListRows"/> makes without packing. A value at a time: where about half the steps are
    /// left out, that is less work than transposing them all and moving the kept ones to the front.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackSteps(float* a, nint lda, int* steps, int count, float* sliver)
    {
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int t = 0; t < count; t++, sliver += 6)
        {
            nint p = steps[t];
            sliver[0] = a[p];
            sliver[1] = a1[p];
            sliver[2] = a2[p];
            sliver[3] = a3[p];
            sliver[4] = a4[p];
            sliver[5] = a5[p];
        }
    }

    /// <summary>
    /// Packs op(B) columns [j0, j0 + cols), depth [p0, p0 + kc) into <paramref name="panel"/>:
    /// ⌈cols / tileColumns⌉ slivers, each [kc, tileColumns], <see cref="SliverStride"/> floats apart. Where b is
    /// not transposed each depth step is a run of a row of b, read straight through for all the
    /// slivers at once (one sliver at a time reads a cache line from each of kc rows, a page
    /// apart in a large b, which the hardware prefetcher does not follow).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBPanel(bool transposeB, float* b, int n, int k, int j0, int cols, int p0, int kc,
        int tileColumns, float* panel)
    {
        nint sliverStride = SliverStride(kc, tileColumns);
        if (transposeB)
        {
            for (int jr = 0; jr < cols; jr += tileColumns, panel += sliverStride)
                PackB(true, b, n, k, j0 + jr, Math.Min(tileColumns, cols - jr), p0, kc, tileColumns, panel);
            return;
        }
        float* source = b + (nint)p0 * n + j0;
        int fullColumns = cols / tileColumns * tileColumns;
        for (int p = 0; p < kc; p++, source += n)
        {
            float* target = panel + p * tileColumns;
            int jr = 0;
            for (; jr < fullColumns; jr += tileColumns, target += sliverStride)
                CopyFullRow(source + jr, target, tileColumns);
            if (jr < cols) CopyRow(source + jr, cols - jr, target, tileColumns);
        }
    }

    /// <summary>
    /// Floats from one sliver of a packed op(B) panel to the next: kc × tileColumns, and a cache line more where that
    /// comes to a multiple of 2 KiB. Otherwise the packing's writes of one depth step, one to each sliver, fall in one
    /// or two sets of L1 (4 KiB a way) and evict each other: a 256-column panel of depth 256 took 22.5 µs to pack on
    /// Zen 3, 14.7 with the line. Slivers that short are at least 32 lines long, so the padding is at most a 32nd of a
    /// panel.
    /// </summary>
    public static nint SliverStride(int kc, int tileColumns)
    {
        nint floats = (nint)kc * tileColumns;
        return floats % 512 == 0 ? floats + 16 : floats;
    }

    /// <summary>
    /// target [width] = source [width] for the widths of the vector tiles, whole vectors written out; any other width
    /// as <see cref="CopyRow"/>. Packing a panel of op(B) with CopyRow's checks and loop at every sliver's step took
    /// half as long again (a 784 × 256 panel 34 µs, 22 µs this way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyFullRow(float* source, float* target, int width)
    {
        if (width == 16 && Vector256.IsHardwareAccelerated)
        {
            Vector256.Store(Vector256.Load(source), target);
            Vector256.Store(Vector256.Load(source + 8), target + 8);
        }
        else if (width == 32 && Vector512.IsHardwareAccelerated)
        {
            Vector512.Store(Vector512.Load(source), target);
            Vector512.Store(Vector512.Load(source + 16), target + 16);
        }
        else
        {
            CopyRow(source, width, target, width);
        }
    }

    /// <summary>
    /// Packs op(B) columns [j0, j0 + cols), cols ≤ tileColumns, depth [p0, p0 + kc) into
    /// <paramref name="sliver"/> [kc, tileColumns]. b is [k, n], or [n, k] when transposed.
    /// </summary>
    public static void PackB(bool transposeB, float* b, int n, int k, int j0, int cols, int p0, int kc, int tileColumns,
        float* sliver)
    {
        // op(B)(p, j) = b[p, j] when not transposed: each depth step is a contiguous run of columns.
        if (transposeB) TransposeRows(b + (nint)j0 * k + p0, k, cols, kc, sliver, tileColumns);
        else CopyRows(b + (nint)p0 * n + j0, n, cols, kc, sliver, tileColumns);
    }

    private const int Lanes = 8;

    /// <summary>
    /// One depth step of a full sliver narrower than a vector, copied as a whole vector from a row of transposed a:
    /// the lanes past the sliver's rows land on the same sliver's next step, which that step's copy then writes over,
    /// so the caller keeps it from a sliver's last step (they would land on the next sliver's first). Before the last
    /// step a further row of a follows, so the read past the sliver's rows stays inside a.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyStep(float* source, float* target) =>
        Vector256.Store(Vector256.Load(source), target);

    /// <summary>
    /// target [width] = source [count], zero past count: whole vectors where the row is full, the
    /// last one ending at the width (overlapping the one before it where width is not a multiple of 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* source, int count, float* target, int width)
    {
        const int lanes = 8;
        if (count == width && width >= lanes && Vector256.IsHardwareAccelerated)
        {
            int c = 0;
            for (; c + lanes <= width; c += lanes) Vector256.Store(Vector256.Load(source + c), target + c);
            if (c < width) Vector256.Store(Vector256.Load(source + width - lanes), target + width - lanes);
            return;
        }
        int i = 0;
        for (; i < count; i++) target[i] = source[i];
        for (; i < width; i++) target[i] = 0f;
    }

    /// <summary>target [kc, width] = source rows p, values [0, count), zero past count; source rows are sourceStride
    /// apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CopyRows(float* source, nint sourceStride, int count, int kc, float* target, int width)
    {
        for (int p = 0; p < kc; p++, source += sourceStride, target += width) CopyRow(source, count, target, width);
    }

    /// <summary>
    /// target [kc, width] with target[p, r] = source[r, p] for r &lt; count, zero past count: rows of
    /// source (sourceStride apart) become columns of the sliver.
    /// </summary>
    /// <param name="mayOverrun">
    /// For a width under eight: the caller leaves room for eight floats past the sliver, and writes
    /// nothing there that it needs before this call, so each depth step can be stored as a whole
    /// vector whose lanes past the width the next step's store overwrites (or the depth steps left
    /// over, one value at a time); else such a width is transposed a value at a time.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransposeRows(float* source, nint sourceStride, int count, int kc, float* target, int width,
        bool mayOverrun = false)
    {
        const int lanes = 8;
        int p0 = 0;
        if (Avx.IsSupported && width < lanes && mayOverrun)
        {
            p0 = kc / lanes * lanes;
            TransposeBlock(source, sourceStride, count, p0, target, width);
        }
        else if (Avx.IsSupported && width >= lanes)
        {
            p0 = kc / lanes * lanes;
            // Blocks of 8 rows; where the width is not a multiple of 8 the last block ends at the
            // width and overlaps the one before, writing the same values twice.
            for (int r0 = 0; r0 < width; r0 += lanes)
            {
                int first = Math.Min(r0, width - lanes);
                TransposeBlock(source + first * sourceStride, sourceStride, count - first, p0, target + first, width);
            }
        }
        // The depth steps left over, one value at a time.
        for (int r = 0; r < width; r++)
        {
            float* row = source + r * sourceStride;
            for (int p = p0; p < kc; p++) target[p * width + r] = r < count ? row[p] : 0f;
        }
    }

    // Eight rows (fewer valid: zeros past validRows), depth [0, depth) in steps of 8, each 8 × 8 square
    // transposed in registers and stored a depth step at a time, in order, 8 floats each.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeBlock(float* source, nint sourceStride, int validRows, int depth, float* target,
        int width)
    {
        Vector256<float> zero = Vector256<float>.Zero;
        nint s = sourceStride;
        float* r0 = source, r1 = r0 + s, r2 = r1 + s, r3 = r2 + s, r4 = r3 + s, r5 = r4 + s, r6 = r5 + s, r7 = r6 + s;
        for (int p = 0; p < depth; p += 8)
        {
            Vector256<float> v0, v1, v2, v3, v4, v5, v6, v7;
            if (validRows >= 8)
            {
                (v0, v1, v2, v3) = (Vector256.Load(r0 + p), Vector256.Load(r1 + p), Vector256.Load(r2 + p),
                    Vector256.Load(r3 + p));
                (v4, v5, v6, v7) = (Vector256.Load(r4 + p), Vector256.Load(r5 + p), Vector256.Load(r6 + p),
                    Vector256.Load(r7 + p));
            }
            else
            {
                v0 = validRows > 0 ? Vector256.Load(r0 + p) : zero;
                v1 = validRows > 1 ? Vector256.Load(r1 + p) : zero;
                v2 = validRows > 2 ? Vector256.Load(r2 + p) : zero;
                v3 = validRows > 3 ? Vector256.Load(r3 + p) : zero;
                v4 = validRows > 4 ? Vector256.Load(r4 + p) : zero;
                v5 = validRows > 5 ? Vector256.Load(r5 + p) : zero;
                v6 = validRows > 6 ? Vector256.Load(r6 + p) : zero;
                v7 = zero;
            }
            // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
            Vector256<float> t0 = Avx.UnpackLow(v0, v1), t1 = Avx.UnpackHigh(v0, v1);
            Vector256<float> t2 = Avx.UnpackLow(v2, v3), t3 = Avx.UnpackHigh(v2, v3);
            Vector256<float> t4 = Avx.UnpackLow(v4, v5), t5 = Avx.UnpackHigh(v4, v5);
            Vector256<float> t6 = Avx.UnpackLow(v6, v7), t7 = Avx.UnpackHigh(v6, v7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* t = target + p * width;
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), t);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), t + width);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), t + 2 * width);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), t + 3 * width);
            Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), t + 4 * width);
            Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), t + 5 * width);
            Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), t + 6 * width);
            Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), t + 7 * width);
        }
    }
}
