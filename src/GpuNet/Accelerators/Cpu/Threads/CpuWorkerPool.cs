using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace GpuNet.Accelerators.Cpu.Threads;

/// <summary>
/// The threads behind <see cref="CpuParallel"/>: started once and kept, so that a parallel loop
/// costs a wake-up, not a task, a closure and a partitioner. The calling thread takes part, and
/// any thread, caller or worker, claims the next unclaimed participant as it comes free, so a
/// worker the scheduler starts late (another process on its core) holds nobody up: the caller
/// does that share itself. One loop runs at a time; a loop started while another runs (from a
/// second thread, or from inside a loop body) runs on its own caller instead.
/// </summary>
internal static class CpuWorkerPool
{
    private static readonly SemaphoreSlim s_wake = new(0);
    private static readonly Lock s_startLock = new();
    private static int s_workers;
    private static int s_busy;
    private static Work? s_current;

    /// <summary>
    /// Takes the pool for one loop, or returns false when another loop holds it. A caller that gets
    /// true must call <see cref="Run"/> exactly once, which gives the pool back.
    /// </summary>
    public static bool TryEnter() => Interlocked.CompareExchange(ref s_busy, 1, 0) == 0;

    /// <summary>
    /// Runs participants 0 … <paramref name="participants"/> − 1 of <paramref name="work"/>, each once,
    /// on the caller and up to <paramref name="threads"/> − 1 workers, and returns when all are
    /// done; the first exception a participant threw is rethrown here.
    /// </summary>
    public static void Run(Work work, int participants, int threads)
    {
        threads = Math.Clamp(threads, 1, participants);
        try
        {
            StartWorkers(threads - 1);
            work.Begin(participants);
            Volatile.Write(ref s_current, work);
            s_wake.Release(threads - 1);
            work.Participate();
            work.WaitForAll();
            Volatile.Write(ref s_current, null);
            work.ThrowIfFailed();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static void StartWorkers(int wanted)
    {
        if (Volatile.Read(ref s_workers) >= wanted) return;
        lock (s_startLock)
        {
            while (s_workers < wanted)
            {
                var thread = new Thread(WorkerLoop) { IsBackground = true,
                    Name = $"GpuNet CPU worker {s_workers + 1}" };
                thread.Start();
                s_workers++;
            }
        }
    }

    /// <summary>
    /// How long a thread polls before it blocks, waiting for the next loop (a worker) or for the
    /// others to finish one (the caller). A training step runs dozens of loops with short serial
    /// stretches between them; a thread that blocks there lets its virtual CPU halt, and waking a
    /// halted one through a busy host can take far longer than the loop (docs/bench/cpu-threads.md
    /// has the measurement). PyTorch's OpenMP threads poll likewise. Past this the threads sleep,
    /// so an idle process costs nothing.
    /// </summary>
    public static TimeSpan PollBeforeBlocking { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Polls <paramref name="ready"/> for <see cref="PollBeforeBlocking"/>; false if it did not come
    /// true.</summary>
    private static bool Poll<TState>(TState state, Func<TState, bool> ready)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(PollBeforeBlocking.TotalSeconds * Stopwatch.Frequency);
        while (!ready(state))
        {
            if (Stopwatch.GetTimestamp() >= deadline) return false;
            Thread.SpinWait(16);
        }
        return true;
    }

    private static void WorkerLoop()
    {
        while (true)
        {
            if (!Poll(s_wake, static wake => wake.Wait(0))) s_wake.Wait();
            // A wake-up can outlive its loop (the caller did every share itself); claiming then finds nothing.
            Volatile.Read(ref s_current)?.Participate();
        }
    }

    /// <summary>One parallel loop: the participants' code and the bookkeeping of who has run.</summary>
    public abstract class Work
    {
        // The participant count (high 32 bits) and the next unclaimed participant (low 32) in one word,
        // so a claim by compare-and-swap always sees the two of the same loop.
        private long _claims;
        private int _finished;
        private Exception? _error;
        private readonly ManualResetEventSlim _allFinished = new(false);

        // The event makes its lock object on the first wait that has to block, which can come
        // any step later (when the machine is busy): one short blocking wait now, so no step allocates.
        protected Work() => _allFinished.Wait(1);

        /// <summary>The code of one participant.</summary>
        protected abstract void Run(int participant);

        internal void Begin(int participants)
        {
            _error = null;
            _finished = 0;
            _allFinished.Reset();
            // Publishes everything written above, and the loop's own state, to the claiming threads.
            Interlocked.Exchange(ref _claims, (long)participants << 32);
        }

        internal void Participate()
        {
            while (true)
            {
                long claims = Volatile.Read(ref _claims);
                int participants = (int)(claims >> 32), next = (int)claims;
                if (next >= participants) return;
                if (Interlocked.CompareExchange(ref _claims, claims + 1, claims) != claims) continue;
                try
                {
                    Run(next);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
                if (Interlocked.Increment(ref _finished) == participants) _allFinished.Set();
            }
        }

        internal void WaitForAll()
        {
            if (!Poll(_allFinished, static finished => finished.IsSet)) _allFinished.Wait();
        }

        internal void ThrowIfFailed()
        {
            if (_error is { } error) ExceptionDispatchInfo.Throw(error);
        }
    }
}
