using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The AVX2 tile that adds its rows where they belong (<see cref="GemmMicroKernels.Tile6x16AddRows"/>) against
/// the stored tile of <see cref="GemmMicroKernels.Tile6x16"/> added row by row: the same bits, each row at its own
/// place and nothing else touched.
/// </summary>
public sealed unsafe class TileAddRowsTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(32)]
    [InlineData(64)]
    public void Rows_added_from_the_registers_are_the_stored_tile_added(int depth)
    {
        VectorPaths.SkipUnlessSupported(GemmKernelKind.Vector256);
        float[] a = FastKernelInputs.Values(1, depth * 6), b = FastKernelInputs.Values(2, depth * 16);
        // Rows out of order, unaligned, one right after another and some apart, in a target with room around them.
        int[] offsets = [37, 5, 101, 21, 60, 130];
        float[] start = FastKernelInputs.Values(3, 160);
        float[] expected = (float[])start.Clone(), actual = (float[])start.Clone();
        float[] tile = new float[6 * 16];
        fixed (float* pa = a, pb = b, pTile = tile, pActual = actual)
        fixed (int* pOffsets = offsets)
        {
            GemmMicroKernels.Tile6x16(pa, pb, depth, pTile, 16, 1f, 0f);
            GemmMicroKernels.Tile6x16AddRows(pa, pb, depth, pActual, pOffsets);
        }
        for (int r = 0; r < 6; r++)
            for (int t = 0; t < 16; t++)
                expected[offsets[r] + t] += tile[r * 16 + t];
        FastKernelInputs.AssertIdentical(expected, actual, "target");
    }
}
