using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// <see cref="GemmPacking.PackA"/>'s layout, value by value: slivers of op(A) rows one after another, each [kc, tile
/// rows], zeros past the last row. Every tile height (the portable kernel's 4, AVX2's 6, AVX-512's 12) in both
/// layouts of a, with blocks that start inside a, end at its edges, leave a partial sliver, or are one step deep:
/// narrow slivers of a transposed a are copied a whole vector a step, which must never leave its extra lanes on a
/// step already packed.
/// </summary>
public sealed unsafe class GemmPackingTests
{
    public static TheoryData<int, bool, int, int, int, int, int, int> Blocks()
    {
        // (m, k, i0, rows, p0, kc): whole a; a block inside it; a block ending at both edges of a; one row and one
        // step; a single full sliver of every height.
        (int, int, int, int, int, int)[] blocks =
            [(13, 9, 0, 13, 0, 9), (37, 20, 6, 25, 3, 11), (31, 17, 5, 26, 4, 13), (9, 5, 8, 1, 4, 1),
                (12, 7, 0, 12, 0, 7), (100, 30, 0, 100, 0, 30)];
        var data = new TheoryData<int, bool, int, int, int, int, int, int>();
        foreach (int tileRows in new[] { 4, 6, 12 })
            foreach (bool transposeA in new[] { false, true })
                foreach (var (m, k, i0, rows, p0, kc) in blocks) data.Add(tileRows, transposeA, m, k, i0, rows, p0, kc);
        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Slivers_hold_op_a_step_by_step_and_zeros_past_the_last_row(int tileRows, bool transposeA, int m, int k,
        int i0, int rows, int p0, int kc)
    {
        // Distinct values, so a value packed at the wrong place or a step written over shows.
        float[] a = Enumerable.Range(1, m * k).Select(v => (float)v).ToArray();
        int slivers = (rows + tileRows - 1) / tileRows, length = slivers * kc * tileRows;
        // Room for the eight floats a narrow tile may write past the block; NaN where nothing was packed.
        float[] block = Enumerable.Repeat(float.NaN, length + 8).ToArray();
        fixed (float* source = a, target = block)
        {
            GemmPacking.PackA(transposeA, source, m, k, i0, rows, p0, kc, tileRows, target);
        }
        for (int s = 0; s < slivers; s++)
        {
            for (int p = 0; p < kc; p++)
            {
                for (int r = 0; r < tileRows; r++)
                {
                    int i = i0 + s * tileRows + r, depth = p0 + p;
                    float expected = i < i0 + rows ? (transposeA ? a[depth * m + i] : a[i * k + depth]) : 0f;
                    float packed = block[(s * kc + p) * tileRows + r];
                    if (BitConverter.SingleToInt32Bits(packed) != BitConverter.SingleToInt32Bits(expected))
                        Assert.Fail($"sliver {s}, step {p}, row {r}: packed {packed:R}, op(A) holds {expected:R}");
                }
            }
        }
    }
}
