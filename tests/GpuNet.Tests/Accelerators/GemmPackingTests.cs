using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// <see cref="GemmPacking.PackA"/>'s and <see cref="GemmPacking.PackBPanel"/>'s layouts, value by value: slivers of
/// op(A) rows one after another, each [kc, tile rows], zeros past the last row; slivers of op(B) columns, each [kc,
/// tile columns], <see cref="GemmPacking.SliverStride"/> apart. Every tile height (the portable kernel's 4, AVX2's 6,
/// AVX-512's 12) in both layouts of a, with blocks that start inside a, end at its edges, leave a partial sliver, or
/// are one step deep: narrow slivers of a transposed a are copied a whole vector a step, which must never leave its
/// extra lanes on a step already packed.
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
        AssertSlivers(block, slivers, kc, tileRows, kc * tileRows, "row", (s, p, r) =>
        {
            int i = i0 + s * tileRows + r, depth = p0 + p;
            return i < i0 + rows ? (transposeA ? a[depth * m + i] : a[i * k + depth]) : 0f;
        });
    }

    public static TheoryData<int, bool, int, int, int, int, int, int> Panels()
    {
        // (n, k, j0, cols, p0, kc): a block inside b with a partial last sliver; whole slivers at a depth whose slivers
        // are padded with a line (64 steps of 16 columns, 32 of 32: multiples of 2 KiB) and at one whose are not;
        // one step.
        (int, int, int, int, int, int)[] panels =
            [(70, 40, 3, 61, 5, 29), (96, 80, 0, 96, 8, 64), (96, 80, 0, 96, 8, 32), (64, 9, 0, 64, 2, 7),
                (40, 3, 5, 35, 2, 1)];
        var data = new TheoryData<int, bool, int, int, int, int, int, int>();
        foreach (int tileColumns in new[] { 16, 32 })
            foreach (bool transposeB in new[] { false, true })
                foreach (var (n, k, j0, cols, p0, kc) in panels)
                    data.Add(tileColumns, transposeB, n, k, j0, cols, p0, kc);
        return data;
    }

    [Theory]
    [MemberData(nameof(Panels))]
    public void Panel_slivers_hold_op_b_step_by_step_at_their_stride_and_leave_the_padding_alone(int tileColumns,
        bool transposeB, int n, int k, int j0, int cols, int p0, int kc)
    {
        float[] b = Enumerable.Range(1, n * k).Select(v => (float)v).ToArray();
        int slivers = (cols + tileColumns - 1) / tileColumns;
        int stride = (int)GemmPacking.SliverStride(kc, tileColumns);
        Assert.True(stride == kc * tileColumns || (kc * tileColumns % 512 == 0 && stride == kc * tileColumns + 16),
            $"stride {stride} for slivers of {kc} × {tileColumns}");
        float[] panel = Enumerable.Repeat(float.NaN, slivers * stride + 16).ToArray();
        fixed (float* source = b, target = panel)
        {
            GemmPacking.PackBPanel(transposeB, source, n, k, j0, cols, p0, kc, tileColumns, target);
        }
        AssertSlivers(panel, slivers, kc, tileColumns, stride, "column", (s, p, c) =>
        {
            int j = j0 + s * tileColumns + c, depth = p0 + p;
            return j < j0 + cols ? (transposeB ? b[j * k + depth] : b[depth * n + j]) : 0f;
        });
        for (int s = 0; s < slivers; s++)
        {
            for (int pad = kc * tileColumns; pad < stride; pad++)
                Assert.True(float.IsNaN(panel[s * stride + pad]), $"sliver {s}'s padding written at {pad}");
        }
    }

    /// <summary>Checks each sliver's [kc, width] values, <paramref name="stride"/> floats apart, against the operand's
    /// (<paramref name="expected"/> of sliver, step and lane), bit for bit.</summary>
    private static void AssertSlivers(float[] packed, int slivers, int kc, int width, int stride, string lane,
        Func<int, int, int, float> expected)
    {
        for (int s = 0; s < slivers; s++)
        {
            for (int p = 0; p < kc; p++)
            {
                for (int w = 0; w < width; w++)
                {
                    float want = expected(s, p, w), value = packed[s * stride + p * width + w];
                    if (BitConverter.SingleToInt32Bits(value) != BitConverter.SingleToInt32Bits(want))
                        Assert.Fail($"sliver {s}, step {p}, {lane} {w}: packed {value:R}, the operand holds {want:R}");
                }
            }
        }
    }
}
