using GpuNet.Accelerators.Cpu.Fast;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The GEMM leaving out the depth steps where a six-row sliver of op(A) is all zero (<see cref="GemmZeroSteps"/>,
/// <see cref="GemmMicroKernels.Tile6x16Steps"/> on AVX2, <see cref="GemmMicroKernels.Tile6x32Steps"/> on AVX-512):
/// which steps are listed, when six rows of A as it lies have enough of them to be listed, that listing and packing
/// them where they lie makes the compacted sliver, that the listed-steps tiles are the dense tiles bit for bit, that
/// whole products come out as the dense ones do on either path, and that the steps are in fact skipped.
/// </summary>
public sealed unsafe class GemmZeroStepsTests
{
    [Fact]
    public void Compact_lists_the_nonzero_steps_in_order_and_moves_them_to_the_front()
    {
        const int depth = 40;
        float[] sliver = new float[depth * 6 + 8];
        float[] original = FastKernelInputs.Values(5, depth * 6);
        // Steps 3, 17 and 30 keep their values: one nonzero row each (the first, a middle and the last row), then a
        // NaN, which must stay in the product. Every other step is zero, −0 in places.
        int[] kept = [3, 17, 30, 38];
        for (int p = 0; p < depth; p++)
        {
            for (int r = 0; r < 6; r++) original[p * 6 + r] = (p + r) % 2 == 0 ? 0f : -0f;
        }
        original[3 * 6 + 0] = 1.5f;
        original[17 * 6 + 2] = -0.25f;
        original[30 * 6 + 5] = 1e-30f;
        original[38 * 6 + 4] = float.NaN;
        original.CopyTo(sliver, 0);
        AssertCompacted(original, sliver, depth, kept, "");
    }

    [Fact]
    public void A_sliver_without_a_zero_step_is_left_as_it_is()
    {
        const int depth = 20;
        float[] sliver = FastKernelInputs.Values(6, depth * 6 + 8, 0.5f, 1f);
        float[] before = (float[])sliver.Clone();
        AssertCompacted(before, sliver, depth, Enumerable.Range(0, depth).ToArray(), "");
        FastKernelInputs.AssertIdentical(before, sliver, "sliver");
    }

    [Fact]
    public void A_single_zero_step_is_listed_out()
    {
        // The first step, one in the middle and the last: the steps after each move up by one.
        const int depth = 20;
        foreach (int zero in new[] { 0, 7, depth - 1 })
        {
            float[] sliver = FastKernelInputs.Values(7, depth * 6 + 8, 0.5f, 1f);
            for (int r = 0; r < 6; r++) sliver[zero * 6 + r] = 0f;
            float[] before = (float[])sliver.Clone();
            AssertCompacted(before, sliver, depth, Enumerable.Range(0, depth).Where(p => p != zero).ToArray(),
                $"zero step {zero}: ");
        }
    }

    /// <summary>Compacts <paramref name="sliver"/> and checks that exactly the steps <paramref name="kept"/> of
    /// <paramref name="original"/> are listed, in order, each moved to its place in the front.</summary>
    private static void AssertCompacted(float[] original, float[] sliver, int depth, int[] kept, string what)
    {
        int[] steps = new int[depth];
        int count;
        fixed (float* s = sliver)
        fixed (int* st = steps)
            count = GemmZeroSteps.Compact(s, depth, st);
        Assert.Equal(kept.Length, count);
        Assert.Equal(kept, steps[..count]);
        for (int t = 0; t < count; t++)
        {
            FastKernelInputs.AssertIdentical(original[(kept[t] * 6)..(kept[t] * 6 + 6)], sliver[(t * 6)..(t * 6 + 6)],
                $"{what}step {kept[t]} moved to {t}");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(37)]
    [InlineData(40)]
    [InlineData(300)]
    public void Six_rows_where_they_lie_skip_enough_from_an_eighth_of_their_steps_zero(int depth)
    {
        // The fewest zero steps that are enough: as many as the kept steps' count may fall short of seven eighths.
        int enough = (depth + 7) / 8, lda = depth + 5;
        foreach (int zeros in new[] { enough - 1, enough })
        {
            float[] a = FastKernelInputs.Values(depth + zeros, 6 * lda, 0.5f, 1f);
            // Zero steps spread over the vector steps and the tail; near misses beside them: five zeros and a NaN, or
            // five zeros and a tiny value.
            var zeroSteps = Enumerable.Range(0, zeros).Select(z => (int)((long)z * depth / zeros)).ToArray();
            foreach (int p in zeroSteps)
                for (int r = 0; r < 6; r++) a[r * lda + 2 + p] = r % 2 == 0 ? 0f : -0f;
            for (int p = 0; p < depth; p++)
            {
                if (zeroSteps.Contains(p) || p % 3 != 1) continue;
                for (int r = 0; r < 6; r++) a[r * lda + 2 + p] = 0f;
                a[(p % 6) * lda + 2 + p] = p % 2 == 0 ? float.NaN : 1e-30f;
            }
            float[] sliver = new float[depth * 6 + 8];
            for (int p = 0; p < depth; p++)
                for (int r = 0; r < 6; r++) sliver[p * 6 + r] = a[r * lda + 2 + p];
            int[] steps = new int[depth];
            bool skipsEnough;
            int kept;
            fixed (float* pa = a, pSliver = sliver)
            fixed (int* pSteps = steps)
            {
                skipsEnough = GemmZeroSteps.SkipsEnough(pa + 2, lda, depth);
                kept = GemmZeroSteps.Compact(pSliver, depth, pSteps);
            }
            Assert.Equal(depth - zeros, kept);
            Assert.True(skipsEnough == (zeros >= enough), $"{zeros} zero steps of {depth}: SkipsEnough {skipsEnough}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(37)]
    [InlineData(300)]
    public void Six_rows_listed_and_packed_where_they_lie_make_the_compacted_sliver(int depth)
    {
        // Six rows inside a wider a, starting at column 3: about half their steps zero in all six (some −0), the rest
        // with zeros in some rows, a NaN or a tiny value among them.
        int lda = depth + 11;
        float[] sparse = SparseSliver(depth, seed: depth + 100);
        sparse[(depth / 2) * 6 + 1] = float.NaN;
        if (depth > 3) sparse[3 * 6 + 5] = 1e-30f;
        float[] a = FastKernelInputs.Values(depth, 6 * lda);
        for (int p = 0; p < depth; p++)
            for (int r = 0; r < 6; r++) a[r * lda + 3 + p] = sparse[p * 6 + r];
        float[] compacted = new float[depth * 6 + 8];
        sparse.CopyTo(compacted, 0);
        // The list is written a vector at a time; nothing past the depth may be touched.
        int[] expected = new int[depth], listed = Enumerable.Repeat(-7, depth + 8).ToArray();
        float[] packed = Enumerable.Repeat(-3f, depth * 6 + 8).ToArray();
        int expectedCount, count;
        fixed (float* pa = a, pc = compacted, pPacked = packed)
        fixed (int* pExpected = expected, pListed = listed)
        {
            expectedCount = GemmZeroSteps.Compact(pc, depth, pExpected);
            count = GemmZeroSteps.ListRows(pa + 3, lda, depth, pListed);
            GemmPacking.PackSteps(pa + 3, lda, pListed, count, pPacked);
        }
        Assert.Equal(expectedCount, count);
        Assert.Equal(expected[..count], listed[..count]);
        Assert.All(listed[depth..], value => Assert.Equal(-7, value));
        FastKernelInputs.AssertIdentical(compacted[..(count * 6)], packed[..(count * 6)], "packed steps");
        Assert.All(packed[(count * 6)..], value => Assert.Equal(-3f, value));
    }

    [SkippableTheory]
    [InlineData(1, 0f)]
    [InlineData(7, 1f)]
    [InlineData(64, 0f)]
    [InlineData(300, -0.5f)]
    public void The_listed_steps_tile_is_the_dense_tile_bit_for_bit(int depth, float beta)
    {
        VectorPaths.SkipUnlessSupported(GemmKernelKind.Vector256);
        float[] a = SparseSliver(depth, seed: depth), b = FastKernelInputs.Values(2, depth * 16);
        float[] c = FastKernelInputs.Values(3, 6 * 20);
        float[] dense = (float[])c.Clone(), listed = (float[])c.Clone();
        float[] compacted = new float[a.Length + 8];
        a.CopyTo(compacted, 0);
        int[] steps = new int[depth];
        fixed (float* pa = a, pb = b, pc = compacted, pDense = dense, pListed = listed)
        fixed (int* st = steps)
        {
            GemmMicroKernels.Tile6x16(pa, pb, depth, pDense + 2, 20, 0.75f, beta);
            int count = GemmZeroSteps.Compact(pc, depth, st);
            if (count == depth) GemmMicroKernels.Tile6x16(pc, pb, depth, pListed + 2, 20, 0.75f, beta);
            else GemmMicroKernels.Tile6x16Steps(pc, pb, st, count, pListed + 2, 20, 0.75f, beta);
        }
        FastKernelInputs.AssertIdentical(dense, listed, "c");
    }

    [SkippableTheory]
    [InlineData(1, 0f)]
    [InlineData(7, 1f)]
    [InlineData(64, 0f)]
    [InlineData(300, -0.5f)]
    public void AVX_512s_six_row_tiles_are_its_twelve_row_tile_bit_for_bit(int depth, float beta)
    {
        // Twelve rows as two six-row slivers: packed, read where they lie, and compacted to their listed steps.
        VectorPaths.SkipUnlessSupported(GemmKernelKind.Vector512);
        float[] top = SparseSliver(depth, seed: depth), bottom = SparseSliver(depth, seed: depth + 1);
        float[] twelve = new float[depth * 12], rows = new float[12 * (depth + 3)];
        for (int p = 0; p < depth; p++)
        {
            for (int r = 0; r < 6; r++)
            {
                (twelve[p * 12 + r], twelve[p * 12 + 6 + r]) = (top[p * 6 + r], bottom[p * 6 + r]);
                (rows[r * (depth + 3) + p], rows[(6 + r) * (depth + 3) + p]) = (top[p * 6 + r], bottom[p * 6 + r]);
            }
        }
        float[] b = FastKernelInputs.Values(2, depth * 32), c = FastKernelInputs.Values(3, 12 * 40);
        float[] expected = (float[])c.Clone(), packed = (float[])c.Clone(), inPlace = (float[])c.Clone();
        float[] listed = (float[])c.Clone();
        fixed (float* pTwelve = twelve, pRows = rows, pb = b, pExpected = expected, pPacked = packed,
               pInPlace = inPlace, pListed = listed)
        {
            GemmMicroKernels.Tile12x32(pTwelve, pb, depth, pExpected + 2, 40, 0.75f, beta);
            foreach (var (sliver, half) in new[] { (top, 0), (bottom, 1) })
            {
                float[] compacted = new float[sliver.Length + 8];
                sliver.CopyTo(compacted, 0);
                int[] steps = new int[depth];
                fixed (float* pSliver = sliver, pCompacted = compacted)
                fixed (int* st = steps)
                {
                    nint offset = 2 + half * 6 * 40;
                    GemmMicroKernels.Tile6x32(pSliver, pb, depth, pPacked + offset, 40, 0.75f, beta);
                    GemmMicroKernels.Tile6x32Rows(pRows + half * 6 * (depth + 3), depth + 3, pb, depth,
                        pInPlace + offset, 40, 0.75f, beta);
                    int count = GemmZeroSteps.Compact(pCompacted, depth, st);
                    GemmMicroKernels.Tile6x32Steps(pCompacted, pb, st, count, pListed + offset, 40, 0.75f, beta);
                }
            }
        }
        FastKernelInputs.AssertIdentical(expected, packed, "packed six-row slivers");
        FastKernelInputs.AssertIdentical(expected, inPlace, "six rows read where they lie");
        FastKernelInputs.AssertIdentical(expected, listed, "listed steps");
    }

    public static TheoryData<GemmKernelKind, bool, bool, int, int, int, int> Products()
    {
        // The first Dense layer over MNIST at batch 120 and its kernel gradient; partial tiles with three depth
        // blocks; a product too narrow for the steps to be looked at; all four transpose cases.
        var shapes = new (bool, bool, int, int, int, int)[]
        {
            (false, false, 120, 512, 784, 2), (true, false, 784, 512, 120, 2), (false, true, 13, 70, 1000, 1),
            (true, true, 100, 65, 401, 2), (false, false, 31, 48, 50, 1), (false, false, 25, 40, 300, 2),
            // Batch 100 ends in a sliver of four rows, packed and compacted beside the full slivers listed in place.
            (false, false, 100, 256, 784, 2), (false, false, 100, 64, 401, 1),
            // AVX-512's six-row tiles from 128 columns on: a last tile of 8 columns, and odd rows either way.
            (false, false, 37, 136, 300, 2), (true, false, 41, 128, 77, 1),
        };
        var data = new TheoryData<GemmKernelKind, bool, bool, int, int, int, int>();
        foreach (var kind in new[] { GemmKernelKind.Vector256, GemmKernelKind.Vector512 })
            foreach (var (ta, tb, m, n, k, threads) in shapes) data.Add(kind, ta, tb, m, n, k, threads);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Products))]
    public void Products_skipping_zero_steps_are_the_dense_products_bit_for_bit(GemmKernelKind kind, bool transposeA,
        bool transposeB, int m, int n, int k, int threads)
    {
        VectorPaths.SkipUnlessSupported(kind);
        // Stored [samples, pixels] either way, as the first layer's input is: op(A) is it or its transpose.
        float[] a = MnistLike(transposeA ? k : m, transposeA ? m : k, seed: m + k);
        float[] b = FastKernelInputs.Values(8, k * n), c = FastKernelInputs.Values(9, m * n);
        float[] dense = (float[])c.Clone(), skipped = (float[])c.Clone();
        FastGemm.Multiply(transposeA, transposeB, a, b, m, n, k, 0.5f, 0.25f, dense, kind, threads,
            skipZeroSteps: false);
        FastGemm.Multiply(transposeA, transposeB, a, b, m, n, k, 0.5f, 0.25f, skipped, kind, threads);
        FastKernelInputs.AssertIdentical(dense, skipped, "c");
    }

    [SkippableTheory]
    [InlineData(GemmKernelKind.Vector256, false)]
    [InlineData(GemmKernelKind.Vector512, false)]
    [InlineData(GemmKernelKind.Vector512, true)]
    public void A_step_zero_in_every_row_of_op_a_is_never_multiplied(GemmKernelKind kind, bool transposeA)
    {
        // A NaN in op(B) where op(A) is zero for every row: the dense kernel makes 0 · NaN = NaN of it, the skipped
        // step leaves it out, which is how the test sees that the steps are skipped at all (and, on AVX-512, that
        // the six-row tiles were taken). Sixteen rows: two slivers listed where they lie (or packed, op(A)
        // transposed) and a last one of four rows packed and compacted; AVX-512 looks from 128 columns on.
        VectorPaths.SkipUnlessSupported(kind);
        const int m = 16, n = 128, k = 200;
        float[] a = FastKernelInputs.Values(10, m * k);
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p += 2) a[i * k + p] = 0f;
        if (transposeA) a = Transposed(a, m, k);
        float[] b = FastKernelInputs.Values(11, k * n);
        b[40 * n + 5] = float.NaN;
        float[] dense = new float[m * n], skipped = new float[m * n];
        FastGemm.Multiply(transposeA, false, a, b, m, n, k, 1f, 0f, dense, kind, 1, skipZeroSteps: false);
        FastGemm.Multiply(transposeA, false, a, b, m, n, k, 1f, 0f, skipped, kind, 1);
        Assert.True(float.IsNaN(dense[5]), "the dense product multiplies the zeros by NaN");
        b[40 * n + 5] = 0f;
        float[] zeroed = new float[m * n];
        FastGemm.Multiply(transposeA, false, a, b, m, n, k, 1f, 0f, zeroed, kind, 1, skipZeroSteps: false);
        FastKernelInputs.AssertIdentical(zeroed, skipped, "c");
    }

    /// <summary>[columns, rows] holding values [rows, columns] transposed.</summary>
    private static float[] Transposed(float[] values, int rows, int columns)
    {
        float[] transposed = new float[values.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) transposed[j * rows + i] = values[i * columns + j];
        return transposed;
    }

    /// <summary>A [depth, 6] sliver with about three steps in five zero in every row (some of them −0).</summary>
    private static float[] SparseSliver(int depth, int seed)
    {
        var random = new System.Random(seed);
        float[] sliver = FastKernelInputs.Values(seed, depth * 6);
        for (int p = 0; p < depth; p++)
        {
            if (random.Next(5) < 3)
                for (int r = 0; r < 6; r++) sliver[p * 6 + r] = random.Next(2) == 0 ? 0f : -0f;
            else if (random.Next(2) == 0) sliver[p * 6 + random.Next(6)] = 0f;
        }
        return sliver;
    }

    /// <summary>[samples, pixels] like a batch of digits: zero outside a band of pixels in the middle, about half zero
    /// inside it.</summary>
    private static float[] MnistLike(int samples, int pixels, int seed)
    {
        var random = new System.Random(seed);
        float[] values = RandomInputs.Uniform(random, samples * pixels, 0f, 1f);
        for (int i = 0; i < samples; i++)
        {
            for (int j = 0; j < pixels; j++)
            {
                bool inBand = j > pixels / 5 && j < pixels * 4 / 5;
                if (!inBand || random.Next(2) == 0) values[i * pixels + j] = 0f;
            }
        }
        return values;
    }
}
