using System.Diagnostics;
using GpuNet.Accelerators;

namespace GpuNet.Diagnostics;

/// <summary>GEMM throughput of an accelerator: c = a · b on n × n matrices, timed over repeats after a
/// warm-up.</summary>
public static class DeviceGemmBenchmark
{
    /// <summary>GFLOP/s of the median of <paramref name="repeats"/> timed products (2n³ flops each), waiting for the
    /// device after each.</summary>
    public static double Measure(IAccelerator accelerator, int n, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        using DeviceBuffer a = accelerator.Allocate(n * n), b = accelerator.Allocate(n * n),
            c = accelerator.Allocate(n * n);
        var values = new float[n * n];
        var random = new System.Random(n);
        for (int i = 0; i < values.Length; i++) values[i] = random.NextSingle() - 0.5f;
        accelerator.Upload(values, a);
        accelerator.Upload(values, b);
        accelerator.Gemm(false, false, a, b, n, n, n, 1f, 0f, c);
        accelerator.Synchronize();
        var seconds = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            accelerator.Gemm(false, false, a, b, n, n, n, 1f, 0f, c);
            accelerator.Synchronize();
            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(seconds);
        return 2.0 * n * n * n / seconds[repeats / 2] / 1e9;
    }
}
