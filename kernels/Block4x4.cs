namespace GpuNet.Kernels;

/// <summary>
/// A GEMM thread's 4 × 4 block of sums as sixteen named fields, so that the backends keep them in
/// registers (an array indexed at run time would live in local memory).
/// </summary>
public struct Block4x4
{
    private float _00, _01, _02, _03, _10, _11, _12, _13, _20, _21, _22, _23, _30, _31, _32, _33;

    /// <summary>Adds the outer product of a column (a0 … a3) and a row (b0 … b3).</summary>
    public void Add(float a0, float a1, float a2, float a3, float b0, float b1, float b2, float b3)
    {
        _00 += a0 * b0; _01 += a0 * b1; _02 += a0 * b2; _03 += a0 * b3;
        _10 += a1 * b0; _11 += a1 * b1; _12 += a1 * b2; _13 += a1 * b3;
        _20 += a2 * b0; _21 += a2 * b1; _22 += a2 * b2; _23 += a2 * b3;
        _30 += a3 * b0; _31 += a3 * b1; _32 += a3 * b2; _33 += a3 * b3;
    }

    public readonly float Get(int row, int column) => (row * 4 + column) switch
    {
        0 => _00, 1 => _01, 2 => _02, 3 => _03,
        4 => _10, 5 => _11, 6 => _12, 7 => _13,
        8 => _20, 9 => _21, 10 => _22, 11 => _23,
        12 => _30, 13 => _31, 14 => _32, _ => _33,
    };
}
