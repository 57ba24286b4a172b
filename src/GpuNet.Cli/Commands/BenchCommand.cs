using GpuNet.Backends;
using CommandLine;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Benchmarks;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Cli.Commands;

[Verb("bench",
    HelpText = "Train the deep-versus-shallow suite and report seconds per epoch, throughput, accuracy and gradient " +
        "norms per layer.")]
public sealed class BenchOptions : DataOptionsBase
{
    [Option("suite", Default = "configs/bench", HelpText = "A folder of run configs, one network each.")]
    public string Suite { get; set; } = "configs/bench";

    [Option("only", HelpText = "Run only the networks whose name contains this text.")]
    public string? Only { get; set; }

    [Option("epochs", Default = 1, HelpText = "Timed epochs per network (after a short warm-up).")]
    public int Epochs { get; set; } = 1;

    [Option("gemm",
        HelpText = "Measure GEMM instead: on the CPU, GFLOP/s of square and dense-layer products against the " +
        "peak an FMA-only loop measures, and the nominal one (gemm.md); with --backend cuda, opencl or ilgpu-cpu, " +
            "square " +
        "products on that device (gemm-BACKEND.md).")]
    public bool Gemm { get; set; }

    [Option("clock-ghz", HelpText = "With --gemm: the clock for the nominal peak estimate (default: /proc/cpuinfo).")]
    public double? ClockGHz { get; set; }

    [Option("output", Default = "bench-results", HelpText = "Folder for bench.md, bench.csv and report.html.")]
    public string Output { get; set; } = "bench-results";
}

public static class BenchCommand
{
    public static int Run(BenchOptions options)
    {
        if (options.Gemm) return RunGemm(options);
        if (options.Epochs <= 0)
            throw new GpuNetException($"--epochs must be a positive integer, got {options.Epochs}");
        if (!Directory.Exists(options.Suite))
            throw new GpuNetException($"{options.Suite}: benchmark suite folder not found");
        var configs = Directory.EnumerateFiles(options.Suite, "*.yaml").Order()
            .Select(RunConfigReader.ReadFile)
            .Where(c => options.Only is null || c.Name.Contains(options.Only, StringComparison.Ordinal))
            .ToList();
        if (configs.Count == 0) throw new GpuNetException($"{options.Suite}: no network matches");

        var datasets = new Dictionary<string, (Dataset Train, Dataset Test)>();
        var results = new List<NetworkBenchmarkResult>();
        using var accelerator = AcceleratorFactory.Create(options.Backend ?? "auto", Console.Out);
        string machine = MachineDescription.Current();
        Console.WriteLine($"Benchmark on {accelerator.Name}: {machine}");
        foreach (RunConfig config in configs)
        {
            if (!datasets.TryGetValue(config.Dataset, out var data))
                datasets[config.Dataset] = data = DatasetLoader.Load(config.Dataset, options.DataDirectory,
                    Console.Out);
            var (train, _) = config.Validation.Select(data.Train, data.Test, config.TrainingRange);
            var result = NetworkBenchmark.Run(config, train, data.Test, accelerator, options.Epochs);
            results.Add(result);
            Console.WriteLine($"{result.Name,-28} {result.Parameters,10:N0} params  " +
                $"{result.SecondsPerEpoch,7:0.00} s/epoch  {result.SamplesPerSecond,9:N0} samples/s  test " +
                    $"{result.TestAccuracy:P2}");
        }
        Directory.CreateDirectory(options.Output);
        string markdown = NetworkBenchmark.ToMarkdown(results, machine);
        Serialization.AtomicFile.WriteAllText(Path.Combine(options.Output, "bench.md"), markdown);
        Serialization.AtomicFile.WriteAllText(Path.Combine(options.Output, "bench.csv"),
            NetworkBenchmark.ToCsv(results));
        Console.WriteLine();
        Console.WriteLine(markdown);
        string report = Reports.BenchReportWriter.Write(options.Output, results, machine, accelerator.Name);
        Console.WriteLine($"Wrote {Path.Combine(options.Output, "bench.md")}, bench.csv and {report}");
        return 0;
    }

    private static int RunGemm(BenchOptions options)
    {
        if (options.Backend is { } backend && IlgpuBackend.All.Contains(backend))
            return RunDeviceGemm(options, backend);
        if (options.ClockGHz is <= 0)
            throw new GpuNetException($"--clock-ghz must be a positive number, got {options.ClockGHz}");
        PeakEstimate peak = GemmBenchmark.EstimatePeak(options.ClockGHz);
        Console.WriteLine($"GEMM benchmark on the CPU accelerator: {MachineDescription.Current()}");
        int[] threads = CpuParallel.ThreadCount > 1 ? [1, CpuParallel.ThreadCount] : [1];
        string report = GemmReport.Run(peak, [GemmImplementation.Fast], threads, GemmBenchmark.DefaultShapes);
        Console.Write(report);
        Directory.CreateDirectory(options.Output);
        Serialization.AtomicFile.WriteAllText(Path.Combine(options.Output, "gemm.md"), report);
        Console.WriteLine($"Wrote {Path.Combine(options.Output, "gemm.md")}");
        return 0;
    }

    /// <summary>GEMM on an ILGPU device: square products and the dense layers' shapes, GFLOP/s as the device runs
    /// them.</summary>
    private static int RunDeviceGemm(BenchOptions options, string backend)
    {
        using var accelerator = (IlgpuAccelerator)AcceleratorFactory.Create(backend, Console.Out);
        var lines = new List<string>
        {
            $"# GEMM on {accelerator.Device.Name} ({backend})",
            "",
            $"{accelerator.Device.Details}; {accelerator.Device.GemmDescription}. Median of the timed products, each " +
                $"waited for.",
            "",
            "| n × n × n | GFLOP/s |",
            "|---|---:|",
        };
        int[] sizes = backend == IlgpuBackend.Cpu ? [64, 128, 256] : [512, 1024, 2048, 4096, 8192];
        foreach (int n in sizes)
        {
            double gflops = Diagnostics.DeviceGemmBenchmark.Measure(accelerator, n,
                repeats: backend == IlgpuBackend.Cpu ? 3 : 20);
            lines.Add($"| {n} | {gflops:G4} |");
            Console.WriteLine(lines[^1]);
        }
        string report = string.Join('\n', lines) + "\n";
        Directory.CreateDirectory(options.Output);
        Serialization.AtomicFile.WriteAllText(Path.Combine(options.Output, "gemm-" + backend + ".md"), report);
        Console.WriteLine($"Wrote {Path.Combine(options.Output, "gemm-" + backend + ".md")}");
        return 0;
    }
}
