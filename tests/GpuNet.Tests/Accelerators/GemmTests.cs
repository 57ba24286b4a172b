using GpuNet.Diagnostics;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Accelerators;

/// <summary>GEMM in every transpose case against a triple loop in double, odd sizes included.</summary>
public sealed class GemmTests
{
    public static TheoryData<string, bool, bool, int, int, int> Cases()
    {
        var data = new TheoryData<string, bool, bool, int, int, int>();
        (int, int, int)[] sizes = [(1, 1, 1), (7, 10, 1), (10, 7, 33), (3, 784, 30), (65, 17, 129)];
        foreach (string name in AcceleratorCatalog.Names)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (m, n, k) in sizes) data.Add(name, ta, tb, m, n, k);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Gemm_matches_reference(string acceleratorName, bool transposeA, bool transposeB, int m, int n, int k)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var random = new System.Random(m * 1000 + n * 10 + k);
        float[] a = RandomInputs.Uniform(random, m * k), b = RandomInputs.Uniform(random, k * n),
            c = RandomInputs.Uniform(random, m * n);
        const float alpha = 0.75f, beta = -0.5f;
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p]
                        : b[p * n + j]);
                expected[i * n + j] = (float)(alpha * sum + beta * c[i * n + j]);
            }
        }
        var bufferA = accelerator.Allocate(a.Length);
        var bufferB = accelerator.Allocate(b.Length);
        var bufferC = accelerator.Allocate(c.Length);
        accelerator.Upload(a, bufferA);
        accelerator.Upload(b, bufferB);
        accelerator.Upload(c, bufferC);
        accelerator.Gemm(transposeA, transposeB, bufferA, bufferB, m, n, k, alpha, beta, bufferC);
        float[] actual = new float[m * n];
        accelerator.Download(bufferC, actual);
        // float32 sums of up to 784 products of U(−1, 1): errors stay near 1e-5·√k.
        new Tolerance(1e-4, 1e-4).AssertClose(actual, expected, "c");
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Beta_zero_overwrites_nan(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var a = accelerator.Allocate(2);
        var b = accelerator.Allocate(2);
        var c = accelerator.Allocate(1);
        accelerator.Upload([1f, 2f], a);
        accelerator.Upload([3f, 4f], b);
        accelerator.Upload([float.NaN], c);
        accelerator.Gemm(false, false, a, b, 1, 1, 2, 1f, 0f, c);
        float[] result = new float[1];
        accelerator.Download(c, result);
        Assert.Equal(11f, result[0]);
    }

}
