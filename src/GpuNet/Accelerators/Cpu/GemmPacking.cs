using System.Runtime.Intrinsics;

namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// Copies blocks of op(A) and op(B) into the layouts the micro-kernels stream through. All four
/// transpose cases are resolved here, so there is a single micro-kernel per instruction set.
/// </summary>
/// <remarks>
/// A sliver of A is rows [i0, i0 + rows) of op(A) over depth [p0, p0 + kc), stored [kc, MR]: the
/// MR values of one depth step side by side. A panel of B is columns [j0, j0 + cols) of op(B)
/// over the same depth, cut into slivers of NR columns, each stored [kc, NR]. Rows and columns
/// past the edge of the matrix are zero, so the kernels always run whole tiles.
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A) rows [i0, i0 + rows), rows ≤ tileRows, depth [p0, p0 + kc) into
    /// <paramref name="sliver"/> [kc, tileRows]. a is [m, k], or [k, m] when transposed.
    /// </summary>
    public static void PackA(bool transposeA, float* a, int m, int k, int i0, int rows, int p0, int kc, int tileRows, float* sliver)
    {
        if (transposeA)
        {
            // op(A)(i, p) = a[p, i]: each depth step is a contiguous run of rows.
            float* source = a + (nint)p0 * m + i0;
            for (int p = 0; p < kc; p++, source += m, sliver += tileRows)
            {
                int r = 0;
                for (; r < rows; r++) sliver[r] = source[r];
                for (; r < tileRows; r++) sliver[r] = 0f;
            }
            return;
        }
        // op(A)(i, p) = a[i, p]: walk each row contiguously, write it down a column of the sliver.
        for (int r = 0; r < tileRows; r++)
        {
            float* target = sliver + r;
            if (r >= rows)
            {
                for (int p = 0; p < kc; p++) target[p * tileRows] = 0f;
                continue;
            }
            float* source = a + (nint)(i0 + r) * k + p0;
            for (int p = 0; p < kc; p++) target[p * tileRows] = source[p];
        }
    }

    /// <summary>
    /// Packs op(B) columns [j0, j0 + cols), depth [p0, p0 + kc) into <paramref name="panel"/>:
    /// ⌈cols / tileColumns⌉ slivers, each [kc, tileColumns]. b is [k, n], or [n, k] when transposed.
    /// </summary>
    public static void PackB(bool transposeB, float* b, int n, int k, int j0, int cols, int p0, int kc, int tileColumns, float* panel)
    {
        for (int jr = 0; jr < cols; jr += tileColumns, panel += (nint)kc * tileColumns)
        {
            int width = Math.Min(tileColumns, cols - jr);
            if (transposeB) PackBTransposedSliver(b, k, j0 + jr, width, p0, kc, tileColumns, panel);
            else PackBSliver(b, n, j0 + jr, width, p0, kc, tileColumns, panel);
        }
    }

    // op(B)(p, j) = b[p, j]: each depth step is a contiguous run of columns.
    private static void PackBSliver(float* b, int n, int j0, int width, int p0, int kc, int tileColumns, float* sliver)
    {
        float* source = b + (nint)p0 * n + j0;
        if (width == tileColumns && tileColumns % Vector256<float>.Count == 0 && Vector256.IsHardwareAccelerated)
        {
            for (int p = 0; p < kc; p++, source += n, sliver += tileColumns)
            {
                for (int c = 0; c < tileColumns; c += Vector256<float>.Count)
                    Vector256.Store(Vector256.Load(source + c), sliver + c);
            }
            return;
        }
        for (int p = 0; p < kc; p++, source += n, sliver += tileColumns)
        {
            int c = 0;
            for (; c < width; c++) sliver[c] = source[c];
            for (; c < tileColumns; c++) sliver[c] = 0f;
        }
    }

    // op(B)(p, j) = b[j, p]: walk each row of b contiguously, write it down a column of the sliver.
    private static void PackBTransposedSliver(float* b, int k, int j0, int width, int p0, int kc, int tileColumns, float* sliver)
    {
        for (int c = 0; c < tileColumns; c++)
        {
            float* target = sliver + c;
            if (c >= width)
            {
                for (int p = 0; p < kc; p++) target[p * tileColumns] = 0f;
                continue;
            }
            float* source = b + (nint)(j0 + c) * k + p0;
            for (int p = 0; p < kc; p++) target[p * tileColumns] = source[p];
        }
    }
}
