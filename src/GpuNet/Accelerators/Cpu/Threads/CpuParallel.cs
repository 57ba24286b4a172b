namespace GpuNet.Accelerators.Cpu.Threads;

/// <summary>
/// Splits a loop over independent rows across threads. Each row is always computed by the same
/// code in the same order, so results do not depend on the thread count.
/// </summary>
/// <remarks>
/// The loop's body gets its data as a state struct passed by reference, so a call site written
/// with a static lambda allocates nothing: the compiler caches a static lambda's delegate, and
/// the threads are <see cref="CpuWorkerPool"/>'s, started once.
/// </remarks>
public static class CpuParallel
{
    /// <summary>
    /// Below this many multiply-adds (some tens of microseconds) a loop runs on the calling thread.
    /// The workers poll for a while after each loop (<see cref="CpuWorkerPool.PollBeforeBlocking"/>),
    /// so handing them the next one costs little; the small elementwise loops of a step ([100, 256]
    /// activations, batch norm's feature blocks) are then shared too, where 2²⁰ kept them serial
    /// (docs/bench/cpu-threads.md).
    /// </summary>
    private const long MinimumWorkToSplit = 1 << 17;

    /// <summary>
    /// A loop is cut into up to this many ranges per thread, which the threads claim as they come
    /// free: a thread the scheduler holds back (another process on its core) then leaves the
    /// others ranges to take, instead of a half of the loop to wait for (docs/bench/cpu-threads.md).
    /// </summary>
    private const int PiecesPerThread = 4;

    /// <summary>The rows [start, end) of a loop, with the loop's data in <paramref name="state"/>.</summary>
    public delegate void RangeBody<TState>(in TState state, int start, int end);

    /// <summary>Set to run every loop serially, for debugging.</summary>
    public static bool Serial { get; set; }

    public static int ThreadCount { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Runs <paramref name="body"/> over rows [0, <paramref name="count"/>) in contiguous ranges on at
    /// most <see cref="ThreadCount"/> threads, each row costing about <paramref name="workPerItem"/> multiply-adds.
    /// </summary>
    public static void For<TState>(int count, long workPerItem, in TState state, RangeBody<TState> body)
    {
        int threads = Math.Min(ThreadCount, count);
        if (Serial || threads <= 1 || count * workPerItem < MinimumWorkToSplit || !CpuWorkerPool.TryEnter())
        {
            if (count > 0) body(in state, 0, count);
            return;
        }
        RangeWork<TState> work = RangeWork<TState>.Instance;
        int pieces = Math.Min(count, threads * PiecesPerThread), chunk = (count + pieces - 1) / pieces;
        work.Set(count, chunk, state, body);
        try
        {
            CpuWorkerPool.Run(work, (count + chunk - 1) / chunk, threads);
        }
        finally
        {
            work.Clear();
        }
    }

    /// <summary>As the generic overload, for a body that is already a delegate (kept, not built per call).</summary>
    public static void For(int count, long workPerItem, Action<int, int> range) =>
        For(count, workPerItem, range, static (in Action<int, int> range, int start, int end) => range(start, end));

    /// <summary>
    /// A loop over rows for one state type. One per type suffices: only the thread that holds the
    /// pool uses it, and it gives the pool back before the next loop can start.
    /// </summary>
    private sealed class RangeWork<TState> : CpuWorkerPool.Work
    {
        public static readonly RangeWork<TState> Instance = new();

        private int _count, _chunk;
        private TState _state = default!;
        private RangeBody<TState>? _body;

        public void Set(int count, int chunk, in TState state, RangeBody<TState> body) =>
            (_count, _chunk, _state, _body) = (count, chunk, state, body);

        // Drops the references the state holds, so a finished loop keeps no buffer alive.
        public void Clear() => (_state, _body) = (default!, null);

        protected override void Run(int participant)
        {
            int start = participant * _chunk, end = Math.Min(_count, start + _chunk);
            if (start < end) _body!(in _state, start, end);
        }
    }
}
