using System.Runtime.Intrinsics;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>The first-lanes store that replaces AVX's masked store: exactly count floats written, at every
/// offset.</summary>
public sealed unsafe class PartialStoresTests
{
    [SkippableTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(-3)]
    public void Only_the_first_lanes_are_written(int count)
    {
        VectorPaths.SkipUnlessSupported(256);
        var value = Vector256.Create(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f);
        int written = Math.Clamp(count, 0, 8);
        // Each start offset, so that a store crossing a cache line or vector boundary shows too.
        for (int offset = 0; offset < 8; offset++)
        {
            float[] row = Enumerable.Repeat(-1f, 24).ToArray();
            fixed (float* start = row) PartialStores.StoreFirst(start + offset, value, count);
            for (int i = 0; i < row.Length; i++)
            {
                int lane = i - offset;
                float expected = lane >= 0 && lane < written ? lane + 1 : -1f;
                Assert.True(expected == row[i], $"count {count}, offset {offset}: element {i} is {row[i]}, " +
                    $"expected {expected}");
            }
        }
    }
}
