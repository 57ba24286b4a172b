using GpuNet.Tests.Accelerators;
using GpuNet.Benchmarks;

namespace GpuNet.Tests.Benchmarks;

/// <summary>What gpunet bench --gemm prints: no speed is asserted, only that every figure is there and
/// consistent.</summary>
[Collection(CpuThreadCountCollection.Name)]
public sealed class GemmReportTests
{
    [Fact]
    public void Report_names_the_peak_and_gives_a_row_per_shape_and_a_column_per_thread_count()
    {
        var peak = new PeakEstimate(2, 16, 2, 2.0, "given");
        GemmShape[] shapes = [new("odd", false, true, 7, 13, 5), new("small square", false, false, 32, 32, 32)];

        string report = GemmReport.Run(peak, [GemmImplementation.Fast], [1, 2], shapes, repetitions: 1, seconds: 0.001,
            fmaSeconds: 0.01);

        Assert.Matches(@"Peak \(measured, FMA-only loop, better of before and after\): [0-9.]+ GFLOP/s on 1 thread, " +
            @"[0-9.]+ GFLOP/s on 2 threads", report);
        Assert.Contains("Nominal peak (estimate, whole machine): 2 cores × 16 lanes", report);
        Assert.Contains("= 256 GFLOP/s", report);
        Assert.Contains("| shape | op | m×n×k | Fast 1T GFLOP/s (% FMA loop, % nominal) | Fast 2T GFLOP/s (% FMA " +
            "loop, % nominal) |", report);
        Assert.Matches(@"\| odd \| NT \| 7×13×5 \| [0-9.]+ \(\d+%, \d+%\) \| [0-9.]+ \(\d+%, \d+%\) \|", report);
        Assert.Matches(@"\| small square \| NN \| 32×32×32 \|", report);
        Assert.Matches(@"FMA-only loop before: .*; after: ", report);
        Assert.Matches(@"FMA-only loop by processor time \(better of before and after\): [0-9.]+ GFLOP/s on 1 thread",
            report);
    }

    [Fact]
    public void The_percentages_are_of_the_measured_peak_first_and_of_the_nominal_one_beside_it()
    {
        var shape = new GemmShape("s", false, false, 100, 100, 100);
        // 2 GFLOP/s against a measured 2.5 and a nominal 4.
        var measurement = new GemmMeasurement(shape, GemmImplementation.Fast, 1, 1, 1e-3, 1e-3, 1e-3, 2.5, 4.0);
        Assert.Contains("| s | NN | 100×100×100 | 2.0 (80%, 50%) |", GemmBenchmark.ToMarkdown([measurement]));
    }

    [Fact]
    public void Percent_of_peak_is_held_against_the_cores_a_column_may_use()
    {
        var shape = new GemmShape("s", false, false, 100, 100, 100);
        // 2·10⁶ FLOP in 1 ms is 2 GFLOP/s; against a 4 GFLOP/s column peak, 50%.
        var measurement = new GemmMeasurement(shape, GemmImplementation.Fast, 1, 1, 1e-3, 1e-3, 1e-3, 4.0);
        Assert.Equal(2.0, measurement.GflopPerSecond, 9);
        Assert.Equal(50.0, measurement.PercentOfPeak, 9);
    }
}
