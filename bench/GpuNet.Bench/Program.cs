using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using GpuNet.Bench;
using GpuNet.Benchmarks;

// GEMM throughput of the CPU kernels, printed as a Markdown table:
//   dotnet run -c Release --project bench/GpuNet.Bench -- [--clock-ghz 3.65] [--fma-ports 1]
//       [--threads 1,2] [--only fast|reference] [--shape TEXT] [--repetitions 5] [--seconds 0.5]
//   dotnet run -c Release --project bench/GpuNet.Bench -- --bdn [BenchmarkDotNet arguments, e.g. --filter *Gemm*]
// The percentages are of the peak an FMA-only loop measures on as many threads (what the machine
// delivered during the run), then of the nominal cores × SIMD lanes × 2 × FMA ports × clock: without
// --clock-ghz that clock is read from /proc/cpuinfo, which under a hypervisor may not be the one reached.
if (args.Length > 0 && args[0] == "--bdn")
{
    // bench-results/ is ignored by git.
    var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine("bench-results", "BenchmarkDotNet"));
    BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args[1..], config);
    return 0;
}

double? clockGHz = null;
int fmaPorts = 2, repetitions = 5;
double seconds = 0.5;
int[] threadCounts = [1, 2];
string? only = null, shapeFilter = null;
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--clock-ghz": clockGHz = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--fma-ports": fmaPorts = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--threads": threadCounts = value.Split(',').Select(t =>
            int.Parse(t, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--only": only = value; break;
        case "--shape": shapeFilter = value; break;
        case "--repetitions": repetitions = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(value, CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
    i++;
}

var peak = GemmBenchmark.EstimatePeak(clockGHz, fmaPorts);
var shapes = GemmBenchmark.DefaultShapes.Where(s => shapeFilter is null
    || s.Name.Contains(shapeFilter, StringComparison.OrdinalIgnoreCase)).ToList();
GemmImplementation[] implementations = only switch
{
    null => [GemmImplementation.Reference, GemmImplementation.Fast],
    "fast" => [GemmImplementation.Fast],
    "reference" => [GemmImplementation.Reference],
    _ => throw new ArgumentException($"--only: expected fast or reference, got {only}"),
};

Console.Write(GemmReport.Run(peak, implementations, threadCounts, shapes, repetitions, seconds));
return 0;
