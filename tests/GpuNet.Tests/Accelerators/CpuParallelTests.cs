using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Tests.Accelerators;

/// <summary>The worker pool behind CpuParallel: every row once, exceptions reach the caller, nesting works. Run
/// alone: one test counts the allocations of its loops, which another test's loop holding the pool at the same
/// time had added to (136 bytes, once, in the AVX-512-off pass of the CI script).</summary>
[Collection(CpuThreadCountCollection.Name)]
public sealed class CpuParallelTests
{
    // Enough work per row that the loop is split across the pool's threads.
    private const long Heavy = 1L << 30;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Every_row_runs_exactly_once(int count)
    {
        for (int repeat = 0; repeat < 50; repeat++)
        {
            int[] visits = new int[count];
            CpuParallel.For(count, Heavy, visits, static (in int[] visits, int start, int end) =>
            {
                for (int i = start; i < end; i++) Interlocked.Increment(ref visits[i]);
            });
            Assert.All(visits, v => Assert.Equal(1, v));
        }
    }

    [Fact]
    public void An_exception_in_a_row_reaches_the_caller_and_the_pool_still_works()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            CpuParallel.For(64, Heavy, 63, static (in int failing, int start, int end) =>
            {
                if (failing >= start && failing < end) throw new InvalidOperationException("row 63");
            }));
        Assert.Equal("row 63", error.Message);
        Every_row_runs_exactly_once(1000);
    }

    [Fact]
    public void A_loop_inside_a_loop_runs_on_its_own_thread()
    {
        long[] sums = new long[16];
        CpuParallel.For(sums.Length, Heavy, sums, static (in long[] sums, int start, int end) =>
        {
            for (int row = start; row < end; row++)
            {
                long[] inner = new long[100];
                CpuParallel.For(inner.Length, Heavy, inner, static (in long[] inner, int first, int last) =>
                {
                    for (int i = first; i < last; i++) inner[i] = i;
                });
                sums[row] = inner.Sum();
            }
        });
        Assert.All(sums, s => Assert.Equal(4950, s));
    }

    [Fact]
    public void A_split_loop_allocates_nothing_once_warm()
    {
        float[] values = new float[4096];
        static void Run(float[] values) =>
            CpuParallel.For(values.Length, Heavy, values, static (in float[] values, int start, int end) =>
        {
            for (int i = start; i < end; i++) values[i] += 1f;
        });
        Run(values);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Run(values);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.All(values, v => Assert.Equal(101f, v));
    }
}
