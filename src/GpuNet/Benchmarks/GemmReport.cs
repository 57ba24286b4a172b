using System.Text;

namespace GpuNet.Benchmarks;

/// <summary>
/// The GEMM throughput report that gpunet bench --gemm and the GpuNet.Bench runner print: the peak
/// estimate, what an FMA-only loop reaches before and after (the machine's real ceiling while the
/// run lasted), and the table of each shape's GFLOP/s and share of the peak, by wall clock and by
/// processor time.
/// </summary>
public static class GemmReport
{
    public static string Run(PeakEstimate peak, IReadOnlyList<GemmImplementation> implementations, IReadOnlyList<int> threadCounts,
        IReadOnlyList<GemmShape> shapes, int repetitions = 5, double seconds = 0.5)
    {
        var text = new StringBuilder();
        text.AppendLine($"Peak estimate (whole machine): {peak}");
        text.AppendLine($"Fast micro-kernel: {GemmBenchmark.FastKernel}");
        text.AppendLine($"FMA-only loop before: {FmaLoops(peak)}");
        text.AppendLine($"Load average before: {LoadAverage()}");
        var measurements = new List<GemmMeasurement>();
        foreach (var implementation in implementations)
        {
            foreach (int threads in threadCounts)
            {
                // Each column is held against the peak of the cores it may use.
                double columnPeak = peak.GflopPerSecond * Math.Min(threads, peak.Cores) / peak.Cores;
                measurements.AddRange(GemmBenchmark.Run(shapes, implementation, threads, columnPeak, repetitions, seconds));
            }
        }
        text.AppendLine($"Load average after: {LoadAverage()}");
        text.AppendLine();
        text.AppendLine("Median GFLOP/s over the timed runs (wall clock); in brackets, % of the peak of the threads used.");
        text.AppendLine();
        text.Append(GemmBenchmark.ToMarkdown(measurements));
        text.AppendLine();
        text.AppendLine("The same runs from processor time: GFLOP/s had each thread a core to itself.");
        text.AppendLine();
        text.Append(GemmBenchmark.ToMarkdown(measurements, cpuTime: true));
        text.AppendLine($"FMA-only loop after: {FmaLoops(peak)}");
        return text.ToString();
    }

    private static string FmaLoops(PeakEstimate peak) =>
        $"{FmaThroughput.Measure(1):0} GFLOP/s on 1 thread, {FmaThroughput.Measure(Math.Max(1, peak.Cores)):0} on {peak.Cores}";

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
}
