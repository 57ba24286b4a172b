namespace GpuNet.Kernels;

/// <summary>
/// One GEMM, c = alpha · op(a) · op(b) + beta · c with op(a) [M, K], op(b) [K, N], c [M, N], all
/// row-major: a is stored [M, K], or [K, M] when TransposeA is 1; b [K, N], or [N, K] when TransposeB is 1.
/// </summary>
public readonly struct GemmShape(int transposeA, int transposeB, int m, int n, int k, float alpha, float beta)
{
    public int TransposeA { get; } = transposeA;

    public int TransposeB { get; } = transposeB;

    public int M { get; } = m;

    public int N { get; } = n;

    public int K { get; } = k;

    public float Alpha { get; } = alpha;

    public float Beta { get; } = beta;
}
