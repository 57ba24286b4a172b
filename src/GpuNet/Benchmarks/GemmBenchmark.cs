using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Benchmarks;

/// <summary>One product to time: c [M, N] = op(a) · op(b) with op(a) [M, K], op(b) [K, N].</summary>
public sealed record GemmShape(string Name, bool TransposeA, bool TransposeB, int M, int N, int K)
{
    /// <summary>Floating-point operations of one product: a multiply and an add per term.</summary>
    public double Flop => 2.0 * M * N * K;

    public string Transposes => $"{(TransposeA ? 'T' : 'N')}{(TransposeB ? 'T' : 'N')}";

    public override string ToString() => $"{Name} ({Transposes} {M}×{N}×{K})";
}

/// <summary>Which CPU GEMM a measurement ran.</summary>
public enum GemmImplementation
{
    /// <summary><see cref="ReferenceGemm"/>, the plain reference kernel.</summary>
    Reference,
    /// <summary><see cref="FastGemm"/>, the packed, register-tiled kernel the CPU accelerator runs.</summary>
    Fast,
}

/// <summary>
/// Median and best wall time of one shape on one implementation and thread count, and the mean
/// processor time the process spent per run. <see cref="PeakGflopPerSecond"/> is the peak the
/// percentages are held against (<see cref="GemmReport"/>: what an FMA-only loop measured on as
/// many threads); <see cref="NominalPeakGflopPerSecond"/> the estimate from clock and core counts;
/// <see cref="ProcessorTimePeakGflopPerSecond"/> the FMA loop's rate by processor time, which the
/// rate by processor time is held against.
/// </summary>
public sealed record GemmMeasurement(GemmShape Shape, GemmImplementation Implementation, int Threads, int Repetitions,
    double MedianSeconds, double BestSeconds, double CpuSecondsPerRun, double PeakGflopPerSecond,
        double NominalPeakGflopPerSecond = double.NaN,
    double ProcessorTimePeakGflopPerSecond = double.NaN)
{
    public double GflopPerSecond => Shape.Flop / MedianSeconds / 1e9;

    public double BestGflopPerSecond => Shape.Flop / BestSeconds / 1e9;

    public double PercentOfPeak => 100 * GflopPerSecond / PeakGflopPerSecond;

    public double PercentOfNominalPeak => 100 * GflopPerSecond / NominalPeakGflopPerSecond;

    /// <summary>
    /// The rate had each thread had a core to itself: operations over processor seconds per thread.
    /// On a machine shared with other work the wall-clock rate falls with the share the scheduler
    /// gives; this one mostly does not (it still counts cache and memory contention, and time a
    /// thread spins waiting for the others).
    /// </summary>
    public double CpuTimeGflopPerSecond => Shape.Flop * Threads / CpuSecondsPerRun / 1e9;

    public double CpuTimePercentOfPeak => 100 * CpuTimeGflopPerSecond / PeakGflopPerSecond;
}

/// <summary>
/// A machine's peak float32 rate, estimated as cores × SIMD lanes × 2 (an FMA is a multiply and
/// an add) × FMA ports × clock. It is an estimate: the clock under load (turbo, AVX-512 licence
/// levels, a hypervisor's nominal figure in /proc/cpuinfo) and the number of FMA units per core
/// differ between processors of one family and are not visible to a program.
/// </summary>
public sealed record PeakEstimate(int Cores, int SimdLanes, int FmaPorts, double ClockGHz, string ClockSource)
{
    public double FlopPerCyclePerCore => SimdLanes * 2.0 * FmaPorts;

    public double GflopPerSecond => Cores * FlopPerCyclePerCore * ClockGHz;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Cores} cores × {SimdLanes} lanes × 2 (FMA) × {FmaPorts} FMA ports × " +
            $"{ClockGHz:0.00} GHz ({ClockSource}) = {GflopPerSecond:0} GFLOP/s");
}

/// <summary>
/// Times CPU GEMM shapes: warm-up, then repetitions until both a minimum count and a minimum
/// time are reached; reports the median (robust to a machine shared with other work) and the best.
/// </summary>
public static class GemmBenchmark
{
    /// <summary>Square products, and the three products of a 784-512-512-10 dense layer at batch 120.</summary>
    public static IReadOnlyList<GemmShape> DefaultShapes { get; } =
    [
        new("square 256", false, false, 256, 256, 256),
        new("square 512", false, false, 512, 512, 512),
        new("square 1024", false, false, 1024, 1024, 1024),
        new("square 2048", false, false, 2048, 2048, 2048),
        new("dense forward y = x·W", false, false, 120, 512, 784),
        new("dense dW = xᵀ·dy", true, false, 784, 512, 120),
        new("dense dx = dy·Wᵀ", false, true, 120, 784, 512),
    ];

    /// <summary>
    /// Times each shape on <paramref name="implementation"/> with <paramref name="threads"/> threads
    /// (through <see cref="CpuParallel.ThreadCount"/>, restored afterwards): a warm-up, then at
    /// least <paramref name="minimumRepetitions"/> timed runs and at least <paramref name="minimumSeconds"/>.
    /// </summary>
    public static IReadOnlyList<GemmMeasurement> Run(IEnumerable<GemmShape> shapes, GemmImplementation implementation,
        int threads, double peakGflopPerSecond, int minimumRepetitions = 5, double minimumSeconds = 0.5, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumRepetitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var results = new List<GemmMeasurement>();
        int savedThreads = CpuParallel.ThreadCount;
        try
        {
            CpuParallel.ThreadCount = threads;
            foreach (var shape in shapes)
            {
                var random = new System.Random(seed);
                float[] a = Values(random, shape.M * shape.K), b = Values(random, shape.K * shape.N),
                    c = new float[shape.M * shape.N];
                var (median, best, cpu, repetitions) = Time(() => Multiply(implementation, shape, a, b, c),
                    minimumRepetitions, minimumSeconds);
                results.Add(new GemmMeasurement(shape, implementation, threads, repetitions, median, best, cpu,
                    peakGflopPerSecond));
            }
        }
        finally
        {
            CpuParallel.ThreadCount = savedThreads;
        }
        return results;
    }

    /// <summary>The micro-kernel <see cref="GemmImplementation.Fast"/> runs on this CPU, and its tile of C.</summary>
    public static string FastKernel
    {
        get
        {
            var (rows, columns) = GemmMicroKernels.TileShape(GemmMicroKernels.Best);
            return $"{GemmMicroKernels.Best} ({rows}×{columns} tile)";
        }
    }

    /// <summary>c = op(a) · op(b) for <paramref name="shape"/> on one implementation, over <see
    /// cref="CpuParallel.ThreadCount"/> threads.</summary>
    public static void Multiply(GemmImplementation implementation, GemmShape shape, float[] a, float[] b, float[] c)
    {
        if (implementation == GemmImplementation.Reference)
            ReferenceGemm.Multiply(shape.TransposeA, shape.TransposeB, a, b, shape.M, shape.N, shape.K, 1f, 0f, c);
        else
            FastGemm.Multiply(shape.TransposeA, shape.TransposeB, a, b, shape.M, shape.N, shape.K, 1f, 0f, c);
    }

    /// <summary>Peak from explicit figures: cores × lanes × 2 × FMA ports × clock.</summary>
    public static double PeakGflopPerSecond(int cores, int simdLanes, int fmaPorts, double clockGHz) =>
        cores * simdLanes * 2.0 * fmaPorts * clockGHz;

    /// <summary>
    /// This machine's peak estimate: <see cref="Environment.ProcessorCount"/> cores, the widest
    /// float32 vector the runtime accelerates, <paramref name="fmaPorts"/> FMA units per core (two on
    /// most server cores with AVX-512; one on some), and <paramref name="clockGHz"/> where given,
    /// else the highest "cpu MHz" in /proc/cpuinfo — which under a hypervisor is often the nominal
    /// clock, not the one reached under load, so pass the clock where it is known.
    /// </summary>
    public static PeakEstimate EstimatePeak(double? clockGHz = null, int fmaPorts = 2, int? cores = null)
    {
        int lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count
            : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
            : Vector<float>.Count;
        if (clockGHz is { } given)
            return new PeakEstimate(cores ?? Environment.ProcessorCount, lanes, fmaPorts, given, "given");
        double? read = ReadCpuInfoClockGHz();
        return read is { } ghz
            ? new PeakEstimate(cores ?? Environment.ProcessorCount, lanes, fmaPorts, ghz, "/proc/cpuinfo cpu MHz")
            : new PeakEstimate(cores ?? Environment.ProcessorCount, lanes, fmaPorts, 3.0,
                "assumed, /proc/cpuinfo unreadable");
    }

    /// <summary>The highest "cpu MHz" line of /proc/cpuinfo in GHz, or null where there is none.</summary>
    public static double? ReadCpuInfoClockGHz(string path = "/proc/cpuinfo")
    {
        if (!File.Exists(path)) return null;
        double best = 0;
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith("cpu MHz", StringComparison.Ordinal)) continue;
            int colon = line.IndexOf(':');
            if (colon > 0
                && double.TryParse(line.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture,
                    out double mhz))
                best = Math.Max(best, mhz);
        }
        return best > 0 ? best / 1000 : null;
    }

    /// <summary>
    /// One row per shape, one column per implementation and thread count (in the order the
    /// measurements first name them) giving GFLOP/s and % of peak (and of the nominal peak, where
    /// known): from the median wall time, or where <paramref name="cpuTime"/> is set, from
    /// processor time per thread.
    /// </summary>
    public static string ToMarkdown(IEnumerable<GemmMeasurement> measurements, bool cpuTime = false)
    {
        var all = measurements.ToList();
        var columns = all.Select(x => (x.Implementation, x.Threads)).Distinct().ToList();
        var shapes = all.Select(x => x.Shape).Distinct().ToList();
        var text = new StringBuilder();
        text.Append("| shape | op | m×n×k |");
        bool nominal = all.Any(x => !double.IsNaN(x.NominalPeakGflopPerSecond));
        foreach (var (implementation, threads) in columns)
            text.Append(CultureInfo.InvariantCulture,
                $" {implementation} {threads}T GFLOP/s (% {(nominal ? "FMA loop, % nominal" : "peak")}) |");
        text.AppendLine();
        text.Append("|---|---|---|");
        foreach (var _ in columns) text.Append("---:|");
        text.AppendLine();
        foreach (var shape in shapes)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {shape.Name} | {shape.Transposes} | {shape.M}×{shape.N}×{shape.K} |");
            foreach (var (implementation, threads) in columns)
            {
                var cell = all.FirstOrDefault(x => x.Shape == shape && x.Implementation == implementation
                    && x.Threads == threads);
                if (cell is null)
                {
                    text.Append(" – |");
                    continue;
                }
                double rate = cpuTime ? cell.CpuTimeGflopPerSecond : cell.GflopPerSecond;
                double peak = cpuTime && !double.IsNaN(cell.ProcessorTimePeakGflopPerSecond)
                    ? cell.ProcessorTimePeakGflopPerSecond : cell.PeakGflopPerSecond;
                string percents = string.Create(CultureInfo.InvariantCulture, $"{100 * rate / peak:0}%");
                if (nominal)
                    percents += string.Create(CultureInfo.InvariantCulture,
                        $", {100 * rate / cell.NominalPeakGflopPerSecond:0}%");
                text.Append(CultureInfo.InvariantCulture, $" {rate:0.0} ({percents}) |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static (double Median, double Best, double CpuPerRun, int Repetitions) Time(Action multiply,
        int minimumRepetitions, double minimumSeconds)
    {
        // Warm-up: compiles every path, fills the per-thread packing buffers, wakes the thread pool.
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed.TotalSeconds < Math.Min(0.2, minimumSeconds); i++) multiply();
        var times = new List<double>();
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        while (times.Count < minimumRepetitions || total.Elapsed.TotalSeconds < minimumSeconds)
        {
            long start = Stopwatch.GetTimestamp();
            multiply();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        process.Refresh();
        double cpuPerRun = (process.TotalProcessorTime - cpuBefore).TotalSeconds / times.Count;
        times.Sort();
        return (times[times.Count / 2], times[0], cpuPerRun, times.Count);
    }

    private static float[] Values(System.Random random, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
