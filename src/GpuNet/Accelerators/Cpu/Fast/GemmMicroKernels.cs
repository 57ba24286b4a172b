using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>The instruction set a <see cref="FastGemm"/> micro-kernel is written for.</summary>
public enum GemmKernelKind
{
    /// <summary>The fastest kind the CPU supports.</summary>
    Auto,
    /// <summary>AVX-512 with FMA: a 12×32 tile of C in 24 zmm registers.</summary>
    Vector512,
    /// <summary>AVX2 with FMA: a 6×16 tile of C in 12 ymm registers.</summary>
    Vector256,
    /// <summary><see cref="Vector{T}"/> multiply and add, for any CPU.</summary>
    Portable,
}

/// <summary>
/// The inner loops of <see cref="FastGemm"/>: each computes one MR × NR tile of C from a packed
/// sliver of A (kc steps of MR values, [kc, MR]) and a packed sliver of B (kc steps of NR values,
/// [kc, NR]), keeping the whole tile in vector registers for the length of the sliver.
/// </summary>
/// <remarks>
/// Every kernel has the same contract: tile = Σ_p a[p, :]ᵀ·b[p, :] summed in order p = 0, 1, …,
/// then c = alpha·tile + beta·c, where beta == 0 overwrites c without reading it (c may hold NaN).
/// The order of the sum depends only on kc, never on where the tile sits or which thread runs it.
/// </remarks>
internal static unsafe class GemmMicroKernels
{
    /// <summary>Rows × columns of the C tile of each kind.</summary>
    public static (int Rows, int Columns) TileShape(GemmKernelKind kind) => kind switch
    {
        // 12 rows rather than 14 (which would also fit the 32 registers): a batch of 120 fills
        // ten slivers exactly, and 32, 64 or 128 rows waste less of their last sliver.
        GemmKernelKind.Vector512 => (12, 32),
        GemmKernelKind.Vector256 => (6, 16),
        GemmKernelKind.Portable => (4, 2 * Vector<float>.Count),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a concrete micro-kernel"),
    };

    /// <summary>Whether the running CPU executes <paramref name="kind"/> in hardware.</summary>
    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmKernelKind.Vector256 => Avx2.IsSupported && Fma.IsSupported,
        GemmKernelKind.Portable => true,
        _ => false,
    };

    /// <summary>The fastest kind this CPU supports.</summary>
    public static GemmKernelKind Best { get; } =
        IsSupported(GemmKernelKind.Vector512) ? GemmKernelKind.Vector512
        : IsSupported(GemmKernelKind.Vector256) ? GemmKernelKind.Vector256
        : GemmKernelKind.Portable;

    /// <summary>c [12, ldc] tile = alpha · a [kc, 12]ᵀ · b [kc, 32] + beta · c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile12x32(float* a, float* b, int kc, float* c, nint ldc, float alpha, float beta)
    {
        // C is read and written only after the loop: ask for its 12 rows now, so they arrive meanwhile.
        PrefetchRowsOf32(c, ldc, 12);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<float> c80 = default, c81 = default, c90 = default, c91 = default;
        Vector512<float> cA0 = default, cA1 = default, cB0 = default, cB1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> ar = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ar, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ar, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ar, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ar, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ar, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ar, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(ar, b0, c60); c61 = Avx512F.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(ar, b0, c70); c71 = Avx512F.FusedMultiplyAdd(ar, b1, c71);
            ar = Vector512.Create(a[8]);
            c80 = Avx512F.FusedMultiplyAdd(ar, b0, c80); c81 = Avx512F.FusedMultiplyAdd(ar, b1, c81);
            ar = Vector512.Create(a[9]);
            c90 = Avx512F.FusedMultiplyAdd(ar, b0, c90); c91 = Avx512F.FusedMultiplyAdd(ar, b1, c91);
            ar = Vector512.Create(a[10]);
            cA0 = Avx512F.FusedMultiplyAdd(ar, b0, cA0); cA1 = Avx512F.FusedMultiplyAdd(ar, b1, cA1);
            ar = Vector512.Create(a[11]);
            cB0 = Avx512F.FusedMultiplyAdd(ar, b0, cB0); cB1 = Avx512F.FusedMultiplyAdd(ar, b1, cB1);
            a += 12;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        Store512(c, c00, c01, va, beta); c += ldc;
        Store512(c, c10, c11, va, beta); c += ldc;
        Store512(c, c20, c21, va, beta); c += ldc;
        Store512(c, c30, c31, va, beta); c += ldc;
        Store512(c, c40, c41, va, beta); c += ldc;
        Store512(c, c50, c51, va, beta); c += ldc;
        Store512(c, c60, c61, va, beta); c += ldc;
        Store512(c, c70, c71, va, beta); c += ldc;
        Store512(c, c80, c81, va, beta); c += ldc;
        Store512(c, c90, c91, va, beta); c += ldc;
        Store512(c, cA0, cA1, va, beta); c += ldc;
        Store512(c, cB0, cB1, va, beta);
    }

    /// <summary>
    /// c [8, ldc] tile = alpha · a [kc, 8]ᵀ · b [kc, 32] + beta · c: for products whose rows come in
    /// eights but not twelves (16 or 32 filters, where 12-row tiles compute up to a third more
    /// rows than there are), and for short slivers, where the larger tile's setup does not pay.
    /// No prefetch of C: its callers' tiles are in L1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x32(float* a, float* b, int kc, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> ar = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ar, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ar, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ar, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ar, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ar, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ar, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(ar, b0, c60); c61 = Avx512F.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(ar, b0, c70); c71 = Avx512F.FusedMultiplyAdd(ar, b1, c71);
            a += 8;
            b += 32;
        }
        var va = Vector512.Create(alpha);
        Store512(c, c00, c01, va, beta); c += ldc;
        Store512(c, c10, c11, va, beta); c += ldc;
        Store512(c, c20, c21, va, beta); c += ldc;
        Store512(c, c30, c31, va, beta); c += ldc;
        Store512(c, c40, c41, va, beta); c += ldc;
        Store512(c, c50, c51, va, beta); c += ldc;
        Store512(c, c60, c61, va, beta); c += ldc;
        Store512(c, c70, c71, va, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> tile0, Vector512<float> tile1, Vector512<float> alpha,
        float beta)
    {
        if (beta == 0f)
        {
            Vector512.Store(alpha * tile0, c);
            Vector512.Store(alpha * tile1, c + 16);
            return;
        }
        Vector512<float> c0 = Vector512.Load(c), c1 = Vector512.Load(c + 16);
        if (beta != 1f)
        {
            var vb = Vector512.Create(beta);
            c0 *= vb;
            c1 *= vb;
        }
        Vector512.Store(Avx512F.FusedMultiplyAdd(alpha, tile0, c0), c);
        Vector512.Store(Avx512F.FusedMultiplyAdd(alpha, tile1, c1), c + 16);
    }

    /// <summary>c [6, ldc] tile = alpha · a [kc, 6]ᵀ · b [kc, 16] + beta · c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16(float* a, float* b, int kc, float* c, nint ldc, float alpha, float beta)
    {
        PrefetchTile6x16(c, ldc);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> ar = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ar, b0, c00); c01 = Fma.MultiplyAdd(ar, b1, c01);
            ar = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(ar, b0, c10); c11 = Fma.MultiplyAdd(ar, b1, c11);
            ar = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(ar, b0, c20); c21 = Fma.MultiplyAdd(ar, b1, c21);
            ar = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(ar, b0, c30); c31 = Fma.MultiplyAdd(ar, b1, c31);
            ar = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(ar, b0, c40); c41 = Fma.MultiplyAdd(ar, b1, c41);
            ar = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(ar, b0, c50); c51 = Fma.MultiplyAdd(ar, b1, c51);
            a += 6;
            b += 16;
        }
        StoreTile6x16(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// <see cref="Tile6x16"/> with op(A)'s six rows read where they lie in a row-major a, <paramref name="lda"/> floats
    /// apart (a at the first row's first step), instead of from a packed sliver: the same products in the same order,
    /// so the same bits. The kernel loads each value of A once whichever way it lies, so packing a row-major A only
    /// added a pass over it: 4–7% of a 100 × 256 × 256 product on two threads, each of which packed all of A.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16Rows(float* a, nint lda, float* b, int kc, float* c, nint ldc, float alpha, float beta)
    {
        PrefetchTile6x16(c, ldc);
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> ar = Vector256.Create(a[p]);
            c00 = Fma.MultiplyAdd(ar, b0, c00); c01 = Fma.MultiplyAdd(ar, b1, c01);
            ar = Vector256.Create(a1[p]);
            c10 = Fma.MultiplyAdd(ar, b0, c10); c11 = Fma.MultiplyAdd(ar, b1, c11);
            ar = Vector256.Create(a2[p]);
            c20 = Fma.MultiplyAdd(ar, b0, c20); c21 = Fma.MultiplyAdd(ar, b1, c21);
            ar = Vector256.Create(a3[p]);
            c30 = Fma.MultiplyAdd(ar, b0, c30); c31 = Fma.MultiplyAdd(ar, b1, c31);
            ar = Vector256.Create(a4[p]);
            c40 = Fma.MultiplyAdd(ar, b0, c40); c41 = Fma.MultiplyAdd(ar, b1, c41);
            ar = Vector256.Create(a5[p]);
            c50 = Fma.MultiplyAdd(ar, b0, c50); c51 = Fma.MultiplyAdd(ar, b1, c51);
            b += 16;
        }
        StoreTile6x16(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// <see cref="Tile6x16"/> over the depth steps <paramref name="steps"/> [count] of b [kc, 16] alone, with a
    /// [count, 6] holding op(A) at those steps only (<see cref="GemmZeroSteps"/>): the others are zero in all six
    /// rows, and their products would add ±0 to sums that are never −0, so the tile is the dense one bit for bit
    /// where b is finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16Steps(float* a, float* b, int* steps, int count, float* c, nint ldc, float alpha,
        float beta)
    {
        // As the dense tile does: with fewer steps, C's rows have even less time to arrive on their own.
        PrefetchTile6x16(c, ldc);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int t = 0; t < count; t++, a += 6)
        {
            float* bp = b + (nint)steps[t] * 16;
            Vector256<float> b0 = Vector256.Load(bp);
            Vector256<float> b1 = Vector256.Load(bp + 8);
            Vector256<float> ar = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ar, b0, c00); c01 = Fma.MultiplyAdd(ar, b1, c01);
            ar = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(ar, b0, c10); c11 = Fma.MultiplyAdd(ar, b1, c11);
            ar = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(ar, b0, c20); c21 = Fma.MultiplyAdd(ar, b1, c21);
            ar = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(ar, b0, c30); c31 = Fma.MultiplyAdd(ar, b1, c31);
            ar = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(ar, b0, c40); c41 = Fma.MultiplyAdd(ar, b1, c41);
            ar = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(ar, b0, c50); c51 = Fma.MultiplyAdd(ar, b1, c51);
        }
        StoreTile6x16(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// For each row r of the 6 × 16 tile a [kc, 6]ᵀ · b [kc, 16]: target + offsets[r] [16] += that row. The tile of
    /// <see cref="Tile6x16"/> with alpha 1 and beta 0, added where it belongs straight from the registers: with the
    /// short depths of an input gradient (one product per filter), storing it for the caller to load and add back
    /// came to about a tenth of the work.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16AddRows(float* a, float* b, int kc, float* target, int* offsets)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> ar = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ar, b0, c00); c01 = Fma.MultiplyAdd(ar, b1, c01);
            ar = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(ar, b0, c10); c11 = Fma.MultiplyAdd(ar, b1, c11);
            ar = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(ar, b0, c20); c21 = Fma.MultiplyAdd(ar, b1, c21);
            ar = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(ar, b0, c30); c31 = Fma.MultiplyAdd(ar, b1, c31);
            ar = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(ar, b0, c40); c41 = Fma.MultiplyAdd(ar, b1, c41);
            ar = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(ar, b0, c50); c51 = Fma.MultiplyAdd(ar, b1, c51);
            a += 6;
            b += 16;
        }
        AddRow(target + offsets[0], c00, c01);
        AddRow(target + offsets[1], c10, c11);
        AddRow(target + offsets[2], c20, c21);
        AddRow(target + offsets[3], c30, c31);
        AddRow(target + offsets[4], c40, c41);
        AddRow(target + offsets[5], c50, c51);
    }

    /// <summary>row [16] += (low, high).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddRow(float* row, Vector256<float> low, Vector256<float> high)
    {
        Vector256.Store(Vector256.Load(row) + low, row);
        Vector256.Store(Vector256.Load(row + 8) + high, row + 8);
    }

    /// <summary>Asks for the six rows of a 6 × 16 tile of C, which the kernel's last stores read or write.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile6x16(float* c, nint ldc)
    {
        for (int r = 0; r < 6; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 15);
        }
    }

    /// <summary>c [6, ldc] = alpha · the twelve accumulators of a 6 × 16 tile + beta · c, row by row (<see
    /// cref="Store256"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile6x16(float* c, nint ldc, float alpha, float beta, Vector256<float> c00,
        Vector256<float> c01, Vector256<float> c10, Vector256<float> c11, Vector256<float> c20, Vector256<float> c21,
        Vector256<float> c30, Vector256<float> c31, Vector256<float> c40, Vector256<float> c41, Vector256<float> c50,
        Vector256<float> c51)
    {
        var va = Vector256.Create(alpha);
        Store256(c, c00, c01, va, beta); c += ldc;
        Store256(c, c10, c11, va, beta); c += ldc;
        Store256(c, c20, c21, va, beta); c += ldc;
        Store256(c, c30, c31, va, beta); c += ldc;
        Store256(c, c40, c41, va, beta); c += ldc;
        Store256(c, c50, c51, va, beta);
    }

    /// <summary>c [6, 16], rows 16 floats apart = the twelve accumulators of a 6 × 16 tile, row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreTile6x16(float* c, Vector256<float> c00, Vector256<float> c01, Vector256<float> c10,
        Vector256<float> c11, Vector256<float> c20, Vector256<float> c21, Vector256<float> c30, Vector256<float> c31,
        Vector256<float> c40, Vector256<float> c41, Vector256<float> c50, Vector256<float> c51)
    {
        Vector256.Store(c00, c); Vector256.Store(c01, c + 8);
        Vector256.Store(c10, c + 16); Vector256.Store(c11, c + 24);
        Vector256.Store(c20, c + 32); Vector256.Store(c21, c + 40);
        Vector256.Store(c30, c + 48); Vector256.Store(c31, c + 56);
        Vector256.Store(c40, c + 64); Vector256.Store(c41, c + 72);
        Vector256.Store(c50, c + 80); Vector256.Store(c51, c + 88);
    }

    /// <summary>
    /// c [6, 16] tile = Σ over positions p of a(p)ᵀ · b [p, :], where a(p) is the 6 floats at
    /// <c>image + corners[p]</c>: six neighbouring patch elements of each position's window, read where they lie in a
    /// channels-last image, against b [positions, 16] (16 filters' dy at each position). c, with a row stride of 16,
    /// is overwritten, or where <paramref name="add"/> is set its sums go on from the tile there: a run of positions
    /// cut into blocks sums in the same order as in one. Each sum is a gathered patch sliver's against dy packed for
    /// <see cref="Tile6x16"/>, with the roles of filters and patch elements swapped: the same products in the same
    /// order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16Elements(float* image, int* corners, int positions, float* b, float* c, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        if (add)
        {
            (c00, c01, c10, c11) = (Vector256.Load(c), Vector256.Load(c + 8), Vector256.Load(c + 16),
                Vector256.Load(c + 24));
            (c20, c21, c30, c31) = (Vector256.Load(c + 32), Vector256.Load(c + 40), Vector256.Load(c + 48),
                Vector256.Load(c + 56));
            (c40, c41, c50, c51) = (Vector256.Load(c + 64), Vector256.Load(c + 72), Vector256.Load(c + 80),
                Vector256.Load(c + 88));
        }
        for (int p = 0; p < positions; p++, b += 16)
        {
            float* a = image + corners[p];
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> ar = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ar, b0, c00); c01 = Fma.MultiplyAdd(ar, b1, c01);
            ar = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(ar, b0, c10); c11 = Fma.MultiplyAdd(ar, b1, c11);
            ar = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(ar, b0, c20); c21 = Fma.MultiplyAdd(ar, b1, c21);
            ar = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(ar, b0, c30); c31 = Fma.MultiplyAdd(ar, b1, c31);
            ar = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(ar, b0, c40); c41 = Fma.MultiplyAdd(ar, b1, c41);
            ar = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(ar, b0, c50); c51 = Fma.MultiplyAdd(ar, b1, c51);
        }
        StoreTile6x16(c, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// c [6, 16] tile = Σ over a window of a[r] · b, where A is read where it lies: row r's depth steps are
    /// <paramref name="rows"/> runs of <paramref name="rowLength"/> floats, the first at <c>image + corners[r]</c>
    /// and each next <paramref name="rowStride"/> further (a convolution window's rows in a channels-last
    /// image), and b is packed [rows · rowLength, 16]. c is overwritten, with a row stride of 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16Windows(float* image, int* corners, int rows, int rowStride, int rowLength, float* b,
        float* c)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int i = 0; i < rows; i++)
        {
            nint row = (nint)i * rowStride;
            float* a0 = image + corners[0] + row, a1 = image + corners[1] + row, a2 = image + corners[2] + row;
            float* a3 = image + corners[3] + row, a4 = image + corners[4] + row, a5 = image + corners[5] + row;
            for (int p = 0; p < rowLength; p++, b += 16)
            {
                Vector256<float> b0 = Vector256.Load(b);
                Vector256<float> b1 = Vector256.Load(b + 8);
                Vector256<float> ar = Vector256.Create(a0[p]);
                c00 = Fma.MultiplyAdd(ar, b0, c00); c01 = Fma.MultiplyAdd(ar, b1, c01);
                ar = Vector256.Create(a1[p]);
                c10 = Fma.MultiplyAdd(ar, b0, c10); c11 = Fma.MultiplyAdd(ar, b1, c11);
                ar = Vector256.Create(a2[p]);
                c20 = Fma.MultiplyAdd(ar, b0, c20); c21 = Fma.MultiplyAdd(ar, b1, c21);
                ar = Vector256.Create(a3[p]);
                c30 = Fma.MultiplyAdd(ar, b0, c30); c31 = Fma.MultiplyAdd(ar, b1, c31);
                ar = Vector256.Create(a4[p]);
                c40 = Fma.MultiplyAdd(ar, b0, c40); c41 = Fma.MultiplyAdd(ar, b1, c41);
                ar = Vector256.Create(a5[p]);
                c50 = Fma.MultiplyAdd(ar, b0, c50); c51 = Fma.MultiplyAdd(ar, b1, c51);
            }
        }
        StoreTile6x16(c, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// <see cref="Tile6x16Windows"/> on AVX-512: six positions' windows read where they lie against 32 filters, b
    /// packed [rows · rowLength, 32], into c [6, 32] (a row stride of 32), the same bits as the 16-filter tile's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x32Windows(float* image, int* corners, int rows, int rowStride, int rowLength, float* b,
        float* c)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int i = 0; i < rows; i++)
        {
            nint row = (nint)i * rowStride;
            float* a0 = image + corners[0] + row, a1 = image + corners[1] + row, a2 = image + corners[2] + row;
            float* a3 = image + corners[3] + row, a4 = image + corners[4] + row, a5 = image + corners[5] + row;
            for (int p = 0; p < rowLength; p++, b += 32)
            {
                Vector512<float> b0 = Vector512.Load(b);
                Vector512<float> b1 = Vector512.Load(b + 16);
                Vector512<float> ar = Vector512.Create(a0[p]);
                c00 = Avx512F.FusedMultiplyAdd(ar, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ar, b1, c01);
                ar = Vector512.Create(a1[p]);
                c10 = Avx512F.FusedMultiplyAdd(ar, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ar, b1, c11);
                ar = Vector512.Create(a2[p]);
                c20 = Avx512F.FusedMultiplyAdd(ar, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ar, b1, c21);
                ar = Vector512.Create(a3[p]);
                c30 = Avx512F.FusedMultiplyAdd(ar, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ar, b1, c31);
                ar = Vector512.Create(a4[p]);
                c40 = Avx512F.FusedMultiplyAdd(ar, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ar, b1, c41);
                ar = Vector512.Create(a5[p]);
                c50 = Avx512F.FusedMultiplyAdd(ar, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ar, b1, c51);
            }
        }
        StoreTile6x32(c, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>
    /// c [6, ldc] tile = alpha · a [kc, 6]ᵀ · b [kc, 32] + beta · c: AVX-512's tile for an op(A) whose six rows are
    /// often zero together (<see cref="GemmZeroSteps"/>), where a sliver of twelve rows would find half as many steps
    /// to leave out. The sums are <see cref="Tile12x32"/>'s, in the same order, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x32(float* a, float* b, int kc, float* c, nint ldc, float alpha, float beta)
    {
        PrefetchRowsOf32(c, ldc, 6);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++, a += 6, b += 32)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> ar = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ar, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ar, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ar, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ar, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ar, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ar, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ar, b1, c51);
        }
        StoreTile6x32(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary><see cref="Tile6x32"/> with op(A)'s six rows read where they lie in a row-major a, <paramref
    /// name="lda"/> floats apart, as <see cref="Tile6x16Rows"/> does on AVX2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x32Rows(float* a, nint lda, float* b, int kc, float* c, nint ldc, float alpha, float beta)
    {
        PrefetchRowsOf32(c, ldc, 6);
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (nint p = 0; p < kc; p++, b += 32)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> ar = Vector512.Create(a[p]);
            c00 = Avx512F.FusedMultiplyAdd(ar, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a1[p]);
            c10 = Avx512F.FusedMultiplyAdd(ar, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a2[p]);
            c20 = Avx512F.FusedMultiplyAdd(ar, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a3[p]);
            c30 = Avx512F.FusedMultiplyAdd(ar, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a4[p]);
            c40 = Avx512F.FusedMultiplyAdd(ar, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a5[p]);
            c50 = Avx512F.FusedMultiplyAdd(ar, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ar, b1, c51);
        }
        StoreTile6x32(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary><see cref="Tile6x32"/> over the depth steps <paramref name="steps"/> [count] of b [kc, 32] alone, a
    /// [count, 6] holding op(A) at those steps only: <see cref="Tile6x16Steps"/> on AVX-512, the same bits as the dense
    /// tile's where b is finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x32Steps(float* a, float* b, int* steps, int count, float* c, nint ldc, float alpha,
        float beta)
    {
        PrefetchRowsOf32(c, ldc, 6);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int t = 0; t < count; t++, a += 6)
        {
            float* bp = b + (nint)steps[t] * 32;
            Vector512<float> b0 = Vector512.Load(bp);
            Vector512<float> b1 = Vector512.Load(bp + 16);
            Vector512<float> ar = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ar, b0, c00); c01 = Avx512F.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ar, b0, c10); c11 = Avx512F.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ar, b0, c20); c21 = Avx512F.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ar, b0, c30); c31 = Avx512F.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ar, b0, c40); c41 = Avx512F.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ar, b0, c50); c51 = Avx512F.FusedMultiplyAdd(ar, b1, c51);
        }
        StoreTile6x32(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
    }

    /// <summary>Asks for <paramref name="rows"/> rows of 32 floats of C, up to three cache lines each where a row does
    /// not start on a line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRowsOf32(float* c, nint ldc, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 16);
            Sse.Prefetch0(c + r * ldc + 31);
        }
    }

    /// <summary>c [6, ldc] = alpha · the twelve accumulators of a 6 × 32 tile + beta · c, row by row (<see
    /// cref="Store512"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile6x32(float* c, nint ldc, float alpha, float beta, Vector512<float> c00,
        Vector512<float> c01, Vector512<float> c10, Vector512<float> c11, Vector512<float> c20, Vector512<float> c21,
        Vector512<float> c30, Vector512<float> c31, Vector512<float> c40, Vector512<float> c41, Vector512<float> c50,
        Vector512<float> c51)
    {
        var va = Vector512.Create(alpha);
        Store512(c, c00, c01, va, beta); c += ldc;
        Store512(c, c10, c11, va, beta); c += ldc;
        Store512(c, c20, c21, va, beta); c += ldc;
        Store512(c, c30, c31, va, beta); c += ldc;
        Store512(c, c40, c41, va, beta); c += ldc;
        Store512(c, c50, c51, va, beta);
    }

    /// <summary>c [6, 32], rows 32 floats apart = the twelve accumulators of a 6 × 32 tile, row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile6x32(float* c, Vector512<float> c00, Vector512<float> c01, Vector512<float> c10,
        Vector512<float> c11, Vector512<float> c20, Vector512<float> c21, Vector512<float> c30, Vector512<float> c31,
        Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51)
    {
        Vector512.Store(c00, c); Vector512.Store(c01, c + 16);
        Vector512.Store(c10, c + 32); Vector512.Store(c11, c + 48);
        Vector512.Store(c20, c + 64); Vector512.Store(c21, c + 80);
        Vector512.Store(c30, c + 96); Vector512.Store(c31, c + 112);
        Vector512.Store(c40, c + 128); Vector512.Store(c41, c + 144);
        Vector512.Store(c50, c + 160); Vector512.Store(c51, c + 176);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> tile0, Vector256<float> tile1, Vector256<float> alpha,
        float beta)
    {
        if (beta == 0f)
        {
            Vector256.Store(alpha * tile0, c);
            Vector256.Store(alpha * tile1, c + 8);
            return;
        }
        Vector256<float> c0 = Vector256.Load(c), c1 = Vector256.Load(c + 8);
        if (beta != 1f)
        {
            var vb = Vector256.Create(beta);
            c0 *= vb;
            c1 *= vb;
        }
        Vector256.Store(Fma.MultiplyAdd(alpha, tile0, c0), c);
        Vector256.Store(Fma.MultiplyAdd(alpha, tile1, c1), c + 8);
    }

    /// <summary>
    /// c [4, ldc] tile = alpha · a [kc, 4]ᵀ · b [kc, 2W]ᵀ + beta · c with W = Vector&lt;float&gt;.Count:
    /// separate multiply and add, so it runs (slowly but correctly) where there is no FMA.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TilePortable(float* a, float* b, int kc, float* c, nint ldc, float alpha, float beta)
    {
        int width = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector<float> b0 = Unsafe.Read<Vector<float>>(b);
            Vector<float> b1 = Unsafe.Read<Vector<float>>(b + width);
            var ar = new Vector<float>(a[0]);
            c00 += ar * b0; c01 += ar * b1;
            ar = new Vector<float>(a[1]);
            c10 += ar * b0; c11 += ar * b1;
            ar = new Vector<float>(a[2]);
            c20 += ar * b0; c21 += ar * b1;
            ar = new Vector<float>(a[3]);
            c30 += ar * b0; c31 += ar * b1;
            a += 4;
            b += 2 * width;
        }
        var va = new Vector<float>(alpha);
        StorePortable(c, c00, c01, va, beta); c += ldc;
        StorePortable(c, c10, c11, va, beta); c += ldc;
        StorePortable(c, c20, c21, va, beta); c += ldc;
        StorePortable(c, c30, c31, va, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePortable(float* c, Vector<float> tile0, Vector<float> tile1, Vector<float> alpha,
        float beta)
    {
        float* c1 = c + Vector<float>.Count;
        if (beta == 0f)
        {
            Unsafe.Write(c, alpha * tile0);
            Unsafe.Write(c1, alpha * tile1);
            return;
        }
        var vb = new Vector<float>(beta);
        Unsafe.Write(c, alpha * tile0 + vb * Unsafe.Read<Vector<float>>(c));
        Unsafe.Write(c1, alpha * tile1 + vb * Unsafe.Read<Vector<float>>(c1));
    }
}
