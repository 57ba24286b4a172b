using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuNet.Benchmarks;

/// <summary>
/// The float32 rate this machine actually gives right now: every thread runs twelve independent
/// chains of fused multiply-adds on the widest accelerated vector, nothing else. It is the
/// ceiling no GEMM can pass, measured under whatever else the machine is doing at the time — a
/// check on the clock and FMA-port figures of <see cref="PeakEstimate"/>.
/// </summary>
public static class FmaThroughput
{
    private const int Chains = 12;

    /// <summary>GFLOP/s over all <paramref name="threads"/> threads, each running for about <paramref
    /// name="seconds"/>.</summary>
    public static double Measure(int threads, double seconds = 0.3) => MeasureBoth(threads, seconds).Wall;

    /// <summary>
    /// The same run measured two ways: GFLOP/s by the wall clock, and by each thread's processor
    /// time (what the threads did while they ran, summed: the rate had each had a core to itself;
    /// NaN where the system does not report thread time).
    /// </summary>
    public static (double Wall, double ProcessorTime) MeasureBoth(int threads, double seconds = 0.3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        long[] flop = new long[threads];
        double[] processorSeconds = new double[threads];
        var workers = new Thread[threads];
        var wall = Stopwatch.StartNew();
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                var clock = Stopwatch.StartNew();
                double start = ThreadProcessorTime.Seconds();
                long done = 0;
                while (clock.Elapsed.TotalSeconds < seconds) done += Run(1 << 20);
                processorSeconds[index] = ThreadProcessorTime.Seconds() - start;
                flop[index] = done;
            }) { IsBackground = true };
            workers[t].Start();
        }
        foreach (var worker in workers) worker.Join();
        double byWall = flop.Sum() / wall.Elapsed.TotalSeconds / 1e9;
        double byProcessor = Enumerable.Range(0, threads).Sum(t => flop[t] / processorSeconds[t]) / 1e9;
        return (byWall, byProcessor);
    }

    // Floating-point operations done: steps × chains × lanes × 2.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Run(int steps)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var x = Vector512.Create(0.999999f);
            var y = Vector512.Create(1e-7f);
            Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x,
                a11 = x;
            for (int i = 0; i < steps; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
                a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
                a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
                a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
                a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
                a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            }
            Keep(Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11));
            return (long)steps * Chains * Vector512<float>.Count * 2;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var x = Vector256.Create(0.999999f);
            var y = Vector256.Create(1e-7f);
            Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x,
                a11 = x;
            for (int i = 0; i < steps; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
                a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
                a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
                a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
                a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
                a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
            }
            Keep(Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11));
            return (long)steps * Chains * Vector256<float>.Count * 2;
        }
        var vx = new Vector<float>(0.999999f);
        var vy = new Vector<float>(1e-7f);
        Vector<float> b0 = vx, b1 = vx, b2 = vx, b3 = vx, b4 = vx, b5 = vx, b6 = vx, b7 = vx, b8 = vx, b9 = vx,
            b10 = vx, b11 = vx;
        for (int i = 0; i < steps; i++)
        {
            b0 = b0 * vx + vy; b1 = b1 * vx + vy; b2 = b2 * vx + vy; b3 = b3 * vx + vy;
            b4 = b4 * vx + vy; b5 = b5 * vx + vy; b6 = b6 * vx + vy; b7 = b7 * vx + vy;
            b8 = b8 * vx + vy; b9 = b9 * vx + vy; b10 = b10 * vx + vy; b11 = b11 * vx + vy;
        }
        Keep(Vector.Sum(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11));
        return (long)steps * Chains * Vector<float>.Count * 2;
    }

    private static float s_sink;

    // Makes the chains' results observable so the loops are not removed.
    private static void Keep(float value) => Volatile.Write(ref s_sink, value);
}
