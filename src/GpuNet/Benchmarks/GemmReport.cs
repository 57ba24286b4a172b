using System.Globalization;
using System.Text;

namespace GpuNet.Benchmarks;

/// <summary>
/// The GEMM throughput report that gpunet bench --gemm and the GpuNet.Bench runner print. The
/// peak the percentages are held against is measured: an FMA-only loop (<see cref="FmaThroughput"/>)
/// on as many threads as the column, before and after the GEMM runs, the better of the two — what
/// the cores actually gave while the run lasted, on the vector width the kernels use. The nominal
/// estimate from clock and core counts (<see cref="PeakEstimate"/>) stands beside it: under a
/// hypervisor its clock is often not the one reached under load, so its percentages can mislead.
/// Tables by wall clock and by processor time.
/// </summary>
public static class GemmReport
{
    public static string Run(PeakEstimate nominal, IReadOnlyList<GemmImplementation> implementations,
        IReadOnlyList<int> threadCounts,
        IReadOnlyList<GemmShape> shapes, int repetitions = 5, double seconds = 0.5, double fmaSeconds = 0.3)
    {
        var text = new StringBuilder();
        text.AppendLine($"Fast micro-kernel: {GemmBenchmark.FastKernel}");
        text.AppendLine($"Load average before: {LoadAverage()}");
        var before = threadCounts.Distinct().ToDictionary(t => t, t => FmaThroughput.MeasureBoth(t, fmaSeconds));
        var measurements = new List<GemmMeasurement>();
        foreach (var implementation in implementations)
        {
            foreach (int threads in threadCounts)
            {
                // The nominal figure of the cores a column may use.
                double columnNominal = nominal.GflopPerSecond * Math.Min(threads, nominal.Cores) / nominal.Cores;
                measurements.AddRange(GemmBenchmark.Run(shapes, implementation, threads, columnNominal, repetitions,
                    seconds)
                    .Select(m => m with { NominalPeakGflopPerSecond = columnNominal }));
            }
        }
        var after = before.Keys.ToDictionary(t => t, t => FmaThroughput.MeasureBoth(t, fmaSeconds));
        var peak = before.Keys.ToDictionary(t => t, t => Math.Max(before[t].Wall, after[t].Wall));
        var processorPeak = before.Keys.ToDictionary(t => t, t => Math.Max(before[t].ProcessorTime,
            after[t].ProcessorTime));
        measurements = measurements.Select(m => m with { PeakGflopPerSecond = peak[m.Threads],
            ProcessorTimePeakGflopPerSecond = processorPeak[m.Threads] }).ToList();
        text.AppendLine($"Load average after: {LoadAverage()}");
        text.AppendLine($"Peak (measured, FMA-only loop, better of before and after): {Rates(peak)}");
        text.AppendLine($"FMA-only loop before: {Rates(before.ToDictionary(p => p.Key,
            p => p.Value.Wall))}; after: {Rates(after.ToDictionary(p => p.Key, p => p.Value.Wall))}");
        text.AppendLine($"FMA-only loop by processor time (better of before and after): {Rates(processorPeak)}");
        text.AppendLine($"Nominal peak (estimate, whole machine): {nominal}");
        text.AppendLine();
        text.AppendLine("Median GFLOP/s over the timed runs (wall clock); in brackets, % of the measured peak of the " +
            "threads used, then % of the nominal one.");
        text.AppendLine();
        text.Append(GemmBenchmark.ToMarkdown(measurements));
        text.AppendLine();
        text.AppendLine("The same runs from processor time: GFLOP/s had each thread a core to itself; in brackets, % " +
            "of the FMA loop's");
        text.AppendLine("rate by processor time (steady on a machine shared with other work, where the wall clock is " +
            "not), then % of the nominal peak.");
        text.AppendLine();
        text.Append(GemmBenchmark.ToMarkdown(measurements, cpuTime: true));
        return text.ToString();
    }

    private static string Rates(Dictionary<int, double> byThreads) => string.Join(", ",
        byThreads.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Value:0.0} GFLOP/s on {p.Key} thread{(p.Key == 1 ? "" : "s")}")));

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim()
        : "unknown";
}
