namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// Splits a loop over independent rows across threads. Each row is always computed by the same
/// code in the same order, so results do not depend on the thread count.
/// </summary>
public static class CpuParallel
{
    /// <summary>Below this many multiply-adds a loop runs on the calling thread: starting tasks costs more.</summary>
    private const long MinimumWorkToSplit = 1 << 20;

    /// <summary>Set to run every loop serially, for debugging.</summary>
    public static bool Serial { get; set; }

    public static int ThreadCount { get; set; } = Environment.ProcessorCount;

    public static void For(int count, long workPerItem, Action<int, int> range)
    {
        int threads = Math.Min(ThreadCount, count);
        if (Serial || threads <= 1 || count * workPerItem < MinimumWorkToSplit)
        {
            range(0, count);
            return;
        }
        int chunk = (count + threads - 1) / threads;
        Parallel.For(0, threads, t =>
        {
            int start = t * chunk;
            int end = Math.Min(count, start + chunk);
            if (start < end) range(start, end);
        });
    }
}
