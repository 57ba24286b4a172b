using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// GEMM with shared-memory tiles and register blocking: a group of R × C threads computes a
/// 4R × 4C tile of c, each thread a 4 × 4 grid of it (rows ty + R·r, columns tx + C·s, so
/// neighbouring threads store neighbouring columns), stepping through k a tile depth at a time.
/// Every load is bounds-checked, so any m, n, k works; beta = 0 overwrites c without reading it,
/// so a NaN left in c does not survive. The shape type sets R, C and the depth.
/// </summary>
public static class GemmKernels
{
    /// <summary>Launch with a grid of ⌈n / 4C⌉ × ⌈m / 4R⌉ groups of R·C threads.</summary>
    [KernelFor("Gemm", "Conv2DForward", "Conv2DBackward", "DenseBackward")]
    public static void Gemm<TShape>(GemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
        where TShape : struct, IKernelShape
    {
        int threadRows = default(TShape).GemmThreadRows, threadColumns = default(TShape).GemmThreadColumns;
        int depth = default(TShape).GemmTileDepth;
        int tileRows = 4 * threadRows, tileColumns = 4 * threadColumns, threads = threadRows * threadColumns;
        // tileA [depth, tileRows] and tileB [depth, tileColumns]: step p of the product reads a row of each.
        var tileA = SharedMemory.Allocate<float>(default(TShape).GemmTileDepth * 4 * default(TShape).GemmThreadRows);
        var tileB = SharedMemory.Allocate<float>(default(TShape).GemmTileDepth * 4 * default(TShape).GemmThreadColumns);

        int t = Group.IdxX, tx = t % threadColumns, ty = t / threadColumns;
        int row0 = Grid.IdxY * tileRows, column0 = Grid.IdxX * tileColumns;
        var sums = new Block4x4();
        for (int p0 = 0; p0 < s.K; p0 += depth)
        {
            // Each thread loads its share of both tiles, walking memory in its contiguous direction.
            for (int index = t; index < depth * tileRows; index += threads)
            {
                int i = s.TransposeA != 0 ? index % tileRows : index / depth;
                int p = s.TransposeA != 0 ? index / tileRows : index % depth;
                int gi = row0 + i, gp = p0 + p;
                float value = 0f;
                if (gi < s.M && gp < s.K) value = s.TransposeA != 0 ? a[(long)gp * s.M + gi] : a[(long)gi * s.K + gp];
                tileA[p * tileRows + i] = value;
            }
            for (int index = t; index < depth * tileColumns; index += threads)
            {
                int j = s.TransposeB != 0 ? index / depth : index % tileColumns;
                int p = s.TransposeB != 0 ? index % depth : index / tileColumns;
                int gj = column0 + j, gp = p0 + p;
                float value = 0f;
                if (gj < s.N && gp < s.K) value = s.TransposeB != 0 ? b[(long)gj * s.K + gp] : b[(long)gp * s.N + gj];
                tileB[p * tileColumns + j] = value;
            }
            Group.Barrier();

            for (int p = 0; p < depth; p++)
            {
                int rowA = p * tileRows + ty, rowB = p * tileColumns + tx;
                sums.Add(
                    tileA[rowA], tileA[rowA + threadRows], tileA[rowA + 2 * threadRows], tileA[rowA + 3 * threadRows],
                    tileB[rowB], tileB[rowB + threadColumns], tileB[rowB + 2 * threadColumns],
                        tileB[rowB + 3 * threadColumns]);
            }
            Group.Barrier();
        }

        for (int r = 0; r < 4; r++)
        {
            int gi = row0 + ty + threadRows * r;
            if (gi >= s.M) continue;
            for (int q = 0; q < 4; q++)
            {
                int gj = column0 + tx + threadColumns * q;
                if (gj >= s.N) continue;
                long target = (long)gi * s.N + gj;
                float product = s.Alpha * sums.Get(r, q);
                c[target] = s.Beta == 0f ? product : product + s.Beta * c[target];
            }
        }
    }
}
