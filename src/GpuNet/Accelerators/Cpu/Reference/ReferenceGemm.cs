using System.Numerics;
using System.Runtime.InteropServices;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>
/// The plain GEMM: row-parallel, vectorised along the contiguous dimension. It is the reference
/// the tuned kernels are checked against, so it favours obviously correct loops over speed.
/// </summary>
internal static class ReferenceGemm
{
    /// <summary>c [m, n] = alpha · op(a) · op(b) + beta · c.</summary>
    public static void Multiply(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k,
        float alpha, float beta, float[] c)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, m * k, nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, k * n, nameof(b));
        ArgumentOutOfRangeException.ThrowIfLessThan(c.Length, m * n, nameof(c));
        CpuParallel.For(m, (long)n * k, (transposeA, transposeB, a, b, m, n, k, alpha, beta, c),
            static (in (bool TransposeA, bool TransposeB, float[] A, float[] B, int M, int N, int K, float Alpha,
                float Beta, float[] C) s, int start, int end) =>
        {
            var (transposeA, transposeB, a, b, m, n, k, alpha, beta, c) = s;
            for (int i = start; i < end; i++)
            {
                Span<float> cRow = c.AsSpan(i * n, n);
                // beta == 0 must overwrite, not scale: c may hold NaN from an earlier use.
                if (beta == 0f) cRow.Clear();
                else if (beta != 1f) Scale(cRow, beta);
                if (!transposeB) AccumulateRowTimesMatrix(transposeA, a, b, i, m, n, k, alpha, cRow);
                else AccumulateRowDotRows(transposeA, a, b, i, m, n, k, alpha, cRow);
            }
        });
    }

    // op(b) = b [k, n]: c[i, :] += Σ_p alpha·a(i, p) · b[p, :], contiguous in b and c.
    private static void AccumulateRowTimesMatrix(bool transposeA, float[] a, float[] b, int i, int m, int n, int k,
        float alpha, Span<float> cRow)
    {
        for (int p = 0; p < k; p++)
        {
            float aip = alpha * (transposeA ? a[p * m + i] : a[i * k + p]);
            AddScaled(b.AsSpan(p * n, n), aip, cRow);
        }
    }

    // op(b) = bᵀ with b [n, k]: c[i, j] += alpha · Σ_p a(i, p) · b[j, p], a dot product per element.
    private static void AccumulateRowDotRows(bool transposeA, float[] a, float[] b, int i, int m, int n, int k,
        float alpha, Span<float> cRow)
    {
        if (!transposeA)
        {
            ReadOnlySpan<float> aRow = a.AsSpan(i * k, k);
            for (int j = 0; j < n; j++) cRow[j] += alpha * Dot(aRow, b.AsSpan(j * k, k));
            return;
        }
        for (int j = 0; j < n; j++)
        {
            float sum = 0f;
            for (int p = 0; p < k; p++) sum += a[p * m + i] * b[j * k + p];
            cRow[j] += alpha * sum;
        }
    }

    private static void Scale(Span<float> x, float factor)
    {
        for (int j = 0; j < x.Length; j++) x[j] *= factor;
    }

    private static void AddScaled(ReadOnlySpan<float> x, float factor, Span<float> y)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xs = MemoryMarshal.Cast<float, Vector<float>>(x);
            var ys = MemoryMarshal.Cast<float, Vector<float>>(y);
            var f = new Vector<float>(factor);
            for (int v = 0; v < xs.Length; v++) ys[v] += xs[v] * f;
            j = xs.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) y[j] += x[j] * factor;
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float sum = 0f;
        int j = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var xs = MemoryMarshal.Cast<float, Vector<float>>(x);
            var ys = MemoryMarshal.Cast<float, Vector<float>>(y);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < xs.Length; v++) acc += xs[v] * ys[v];
            sum = Vector.Sum(acc);
            j = xs.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) sum += x[j] * y[j];
        return sum;
    }
}
