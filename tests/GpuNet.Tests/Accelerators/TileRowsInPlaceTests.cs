using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The AVX2 tile that reads op(A)'s six rows where they lie in a row-major A (<see
/// cref="GemmMicroKernels.Tile6x16Rows"/>) against <see cref="GemmMicroKernels.Tile6x16"/> over the same rows packed:
/// the same bits, for a block that starts past A's first column and ends before its last.
/// </summary>
public sealed unsafe class TileRowsInPlaceTests
{
    [SkippableTheory]
    [InlineData(1, 0f)]
    [InlineData(7, 1f)]
    [InlineData(64, -0.5f)]
    [InlineData(300, 0f)]
    public void Rows_read_in_place_give_the_packed_tile_bit_for_bit(int depth, float beta)
    {
        VectorPaths.SkipUnlessSupported(GemmKernelKind.Vector256);
        // Each row of A longer than the block's depth, which starts three steps in.
        int lda = depth + 11, first = 3;
        float[] a = FastKernelInputs.Values(1, 6 * lda), b = FastKernelInputs.Values(2, depth * 16);
        float[] sliver = new float[depth * 6];
        for (int p = 0; p < depth; p++)
            for (int r = 0; r < 6; r++) sliver[p * 6 + r] = a[r * lda + first + p];
        // Beta zero must write over a NaN in C without reading it.
        float[] c = FastKernelInputs.Values(3, 6 * 20);
        if (beta == 0f) c[2] = float.NaN;
        float[] packed = (float[])c.Clone(), inPlace = (float[])c.Clone();
        fixed (float* pa = a, pSliver = sliver, pb = b, pPacked = packed, pInPlace = inPlace)
        {
            GemmMicroKernels.Tile6x16(pSliver, pb, depth, pPacked + 2, 20, 0.75f, beta);
            GemmMicroKernels.Tile6x16Rows(pa + first, lda, pb, depth, pInPlace + 2, 20, 0.75f, beta);
        }
        FastKernelInputs.AssertIdentical(packed, inPlace, "c");
    }
}
