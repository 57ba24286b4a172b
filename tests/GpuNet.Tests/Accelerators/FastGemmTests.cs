using GpuNet.Diagnostics;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Numerics;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The packed GEMM against the plain reference <see cref="ReferenceGemm"/> and a triple loop in double,
/// with every micro-kernel forced, in every transpose case, at sizes that leave partial tiles,
/// partial panels and unequal depth blocks; and bitwise the same result for any thread count.
/// </summary>
public sealed class FastGemmTests
{
    private static readonly GemmKernelKind[] Kinds = VectorPaths.Kinds;

    // (m, n, k): 1 and primes; 10·30·784 is a batch-10 MLP layer; 120 and 784 (28·28) are the MNIST
    // shapes; 13, 17, 33, 65, 129 sit one past tile sizes (4, 6, 12; 16, 32); k = 257 and 513 are one
    // past the 256-deep block; 600 rows of depth 256 need two 512 KiB op(A) blocks; 2100 columns of
    // depth 300 need three op(B) panels of a 2 MiB L2 (GemmBlocking).
    private static readonly (int M, int N, int K)[] Sizes =
    [
        (1, 1, 1), (1, 7, 10), (7, 1, 17), (7, 10, 1), (10, 30, 784), (17, 33, 65), (33, 17, 129),
        (65, 129, 7), (120, 784, 33), (29, 65, 257), (15, 1030, 20), (6, 16, 513), (12, 32, 64), (13, 31, 40),
            (600, 40, 256),
        (13, 2100, 300),
    ];

    public static TheoryData<GemmKernelKind, bool, bool, int, int, int> Cases()
    {
        var data = new TheoryData<GemmKernelKind, bool, bool, int, int, int>();
        foreach (var kind in Kinds)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (m, n, k) in Sizes) data.Add(kind, ta, tb, m, n, k);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Matches_reference_and_double(GemmKernelKind kind, bool transposeA, bool transposeB, int m, int n, int k)
    {
        SkipWhereUnsupported(kind);
        var random = new System.Random(m * 1_000_003 + n * 1009 + k);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n),
            c = RandomInputs.Uniform(random, m * n);
        const float alpha = 0.75f, beta = -0.5f;
        float[] reference = (float[])c.Clone();
        ReferenceGemm.Multiply(transposeA, transposeB, a, b, m, n, k, alpha, beta, reference);
        float[] exact = DoubleReference(transposeA, transposeB, a, b, m, n, k, alpha, beta, c);

        FastGemm.Multiply(transposeA, transposeB, a, b, m, n, k, alpha, beta, c, kind, threads: 2);

        var tolerance = SumTolerance(k);
        tolerance.AssertClose(c, exact, "fast vs double");
        tolerance.AssertClose(c, reference, "fast vs ReferenceGemm");
    }

    public static TheoryData<GemmKernelKind, bool, bool, float, float> ScalarCases()
    {
        var data = new TheoryData<GemmKernelKind, bool, bool, float, float>();
        (float, float)[] scalars = [(1f, 0f), (1f, 1f), (-2f, 0.5f), (0f, 3f), (0.25f, -1f)];
        foreach (var kind in Kinds)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (alpha, beta) in scalars) data.Add(kind, ta, tb, alpha, beta);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ScalarCases))]
    public void Alpha_and_beta_combine_as_documented(GemmKernelKind kind, bool transposeA, bool transposeB, float alpha,
        float beta)
    {
        SkipWhereUnsupported(kind);
        // Three depth blocks and partial tiles on both edges, so beta is applied once, not per block.
        const int m = 31, n = 47, k = 600;
        var random = new System.Random(17);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n),
            c = RandomInputs.Uniform(random, m * n);
        float[] exact = DoubleReference(transposeA, transposeB, a, b, m, n, k, alpha, beta, c);

        FastGemm.Multiply(transposeA, transposeB, a, b, m, n, k, alpha, beta, c, kind, threads: 2);

        SumTolerance(k).AssertClose(c, exact, $"alpha {alpha}, beta {beta}");
    }

    public static TheoryData<GemmKernelKind, bool, bool> KindsAndTransposes()
    {
        var data = new TheoryData<GemmKernelKind, bool, bool>();
        foreach (var kind in Kinds)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true }) data.Add(kind, ta, tb);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(KindsAndTransposes))]
    public void Beta_zero_overwrites_nan(GemmKernelKind kind, bool transposeA, bool transposeB)
    {
        SkipWhereUnsupported(kind);
        // Full tiles, edge tiles and a second depth block all see the NaN.
        const int m = 33, n = 70, k = 300;
        var random = new System.Random(5);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n);
        float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        float[] exact = DoubleReference(transposeA, transposeB, a, b, m, n, k, 1.5f, 0f, new float[m * n]);

        FastGemm.Multiply(transposeA, transposeB, a, b, m, n, k, 1.5f, 0f, c, kind, threads: 2);

        SumTolerance(k).AssertClose(c, exact, "c");
    }

    [SkippableTheory]
    [MemberData(nameof(KindsAndTransposes))]
    public void Empty_depth_scales_c_by_beta(GemmKernelKind kind, bool transposeA, bool transposeB)
    {
        SkipWhereUnsupported(kind);
        float[] c = [1f, -2f, 3f, float.NaN];
        FastGemm.Multiply(transposeA, transposeB, [], [], 2, 2, 0, 1f, 0.5f, c, kind, threads: 1);
        Assert.Equal([0.5f, -1f, 1.5f], c[..3]);
        FastGemm.Multiply(transposeA, transposeB, [], [], 2, 2, 0, 1f, 0f, c, kind, threads: 1);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    public static TheoryData<GemmKernelKind, bool, bool, int, int, int> SplitCases()
    {
        var data = new TheoryData<GemmKernelKind, bool, bool, int, int, int>();
        // The three products of a 784-512-… dense layer at batch 120, a square one with two depth
        // blocks, and a thin one that can only be split by rows.
        (bool, bool, int, int, int)[] shapes =
            [(false, false, 120, 512, 784), (true, false, 784, 512, 120), (false, true, 120, 784, 512),
                (false, false, 129, 130, 300), (true, true, 1000, 3, 200)];
        foreach (var kind in Kinds)
            foreach (var (ta, tb, m, n, k) in shapes) data.Add(kind, ta, tb, m, n, k);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(SplitCases))]
    public void Result_does_not_depend_on_thread_count(GemmKernelKind kind, bool transposeA, bool transposeB, int m,
        int n, int k)
    {
        SkipWhereUnsupported(kind);
        Assert.True(FastGemm.RegionCount(m, n, k, kind, threads: 2) > 1, "the shape must actually be split");
        var random = new System.Random(11);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n),
            c = RandomInputs.Uniform(random, m * n);
        float[] oneThread = (float[])c.Clone();
        FastGemm.Multiply(transposeA, transposeB, a, b, m, n, k, 0.5f, 0.25f, oneThread, kind, threads: 1);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            float[] split = (float[])c.Clone();
            FastGemm.Multiply(transposeA, transposeB, a, b, m, n, k, 0.5f, 0.25f, split, kind, threads);
            for (int i = 0; i < split.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(split[i]) != BitConverter.SingleToInt32Bits(oneThread[i]))
                    Assert.Fail($"{threads} threads: c[{i}] = {split[i]:R}, 1 thread: {oneThread[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1, true)]
    [InlineData(1, 784, 512, true)]     // one sample through a dense layer: 11 of 12 tile rows would be padding
    [InlineData(2, 3, 700, true)]
    [InlineData(10, 30, 784, false)]    // a batch-10 layer is already worth packing
    [InlineData(120, 512, 784, false)]
    public void Tiny_and_thin_products_go_to_the_reference_kernel(int m, int n, int k, bool reference)
    {
        Assert.Equal(reference, FastGemm.ReferenceIsFaster(false, false, m, n, k, GemmKernelKind.Vector512));
        var random = new System.Random(m + n + k);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n),
            c = RandomInputs.Uniform(random, m * n);
        float[] exact = DoubleReference(false, false, a, b, m, n, k, 1f, 0.5f, c);
        FastGemm.Multiply(false, false, a, b, m, n, k, 1f, 0.5f, c);
        SumTolerance(k).AssertClose(c, exact, "c");
    }

    [Fact]
    public void A_warm_call_allocates_nothing()
    {
        const int m = 120, n = 64, k = 300;
        var random = new System.Random(3);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n), c = new float[m * n];
        FastGemm.Multiply(false, true, a, b, m, n, k, 1f, 0f, c, GemmKernelKind.Auto, threads: 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        FastGemm.Multiply(false, true, a, b, m, n, k, 1f, 0f, c, GemmKernelKind.Auto, threads: 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Cpu_accelerator_runs_the_fast_kernel_on_a_dense_layer()
    {
        using var accelerator = new CpuAccelerator();
        const int m = 120, n = 512, k = 784;
        var random = new System.Random(9);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n);
        var bufferA = accelerator.Allocate(a.Length);
        var bufferB = accelerator.Allocate(b.Length);
        var bufferC = accelerator.Allocate(m * n);
        accelerator.Upload(a, bufferA);
        accelerator.Upload(b, bufferB);
        accelerator.Gemm(false, false, bufferA, bufferB, m, n, k, 1f, 0f, bufferC);
        float[] actual = new float[m * n], expected = new float[m * n];
        accelerator.Download(bufferC, actual);
        FastGemm.Multiply(false, false, a, b, m, n, k, 1f, 0f, expected, GemmMicroKernels.Best, threads: 1);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Reports the test skipped where the kind cannot run here, after checking that forcing it is
    /// refused (an unsupported kernel must neither run nor be passed over silently).
    /// </summary>
    private static void SkipWhereUnsupported(GemmKernelKind kind)
    {
        if (!GemmMicroKernels.IsSupported(kind))
            Assert.Throws<PlatformNotSupportedException>(() =>
                FastGemm.Multiply(false, false, [1f], [1f], 1, 1, 1, 1f, 0f, new float[1], kind, threads: 1));
        VectorPaths.SkipUnlessSupported(kind);
    }

    // Float32 sums of k products of U(−1, 1) drift by about 1e-7·√k·|sum|; reorderings between two
    // float kernels double that. Both stay well inside this for the k used here.
    private static Tolerance SumTolerance(int k) => new(2e-6 * (1 + Math.Sqrt(k)) * 4, 1e-5);

    private static float[] DoubleReference(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k,
        float alpha, float beta, float[] c)
    {
        float[] result = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p]
                        : b[p * n + j]);
                result[i * n + j] = (float)(alpha * sum + (beta == 0f ? 0.0 : (double)beta * c[i * n + j]));
            }
        }
        return result;
    }

}
