using GpuNet.Backends;
using System.Diagnostics;
using CommandLine;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Diagnostics;

namespace GpuNet.Cli.Commands;

[Verb("doctor",
    HelpText = "Check a GPU set-up: list the devices ILGPU finds, run every kernel on one against the CPU, " +
    "train a small CNN on both step by step, and measure GEMM; exits 1 on any mismatch.")]
public sealed class DoctorOptions
{
    [Option("backend", Default = "auto",
        HelpText = "cuda, opencl or ilgpu-cpu; auto takes a CUDA device, else an OpenCL one, else ilgpu-cpu.")]
    public string Backend { get; set; } = "auto";

    [Option("steps", Default = 20, HelpText = "Training steps compared with the CPU.")]
    public int Steps { get; set; } = 20;

    [Option("gemm-size", HelpText = "n of the n × n GEMM timed (default 4096 on a GPU, 256 on ilgpu-cpu).")]
    public int? GemmSize { get; set; }
}

public static class DoctorCommand
{
    /// <summary>Training losses may differ by float rounding, amplified a little by Adam, as in the test
    /// suite.</summary>
    private const double TrainingTolerance = 1e-4;

    public static int Run(DoctorOptions options)
    {
        if (options.Steps <= 0) throw new GpuNetException($"--steps must be a positive integer, got {options.Steps}");
        if (options.GemmSize is <= 0)
            throw new GpuNetException($"--gemm-size must be a positive integer, got {options.GemmSize}");
        var clock = Stopwatch.StartNew();
        PrintDevices();
        string backend = Choose(options.Backend);
        using var device = (IlgpuAccelerator)AcceleratorFactory.Create(backend, Console.Out);
        using var cpu = new CpuAccelerator();
        Console.WriteLine();

        int failures = CheckKernels(cpu, device);
        failures += CheckTraining(cpu, device, options.Steps);
        int n = options.GemmSize ?? (backend == IlgpuBackend.Cpu ? 256 : 4096);
        double gflops = DeviceGemmBenchmark.Measure(device, n, repeats: backend == IlgpuBackend.Cpu ? 3 : 10);
        Console.WriteLine($"GEMM {n}×{n}×{n} on {device.Device.Name}: {gflops:G3} GFLOP/s " +
            $"({device.Device.GemmDescription})");
        Console.WriteLine();
        Console.WriteLine(failures == 0
            ? $"doctor: {backend} agrees with the CPU on every check ({clock.Elapsed.TotalSeconds:F0} s)."
            : $"doctor: {failures} check(s) on {backend} disagree with the CPU ({clock.Elapsed.TotalSeconds:F0} s).");
        return failures == 0 ? 0 : 1;
    }

    private static void PrintDevices()
    {
        Console.WriteLine("Devices ILGPU finds:");
        Console.WriteLine();
        Console.WriteLine("| backend | device | memory | details | usable |");
        Console.WriteLine("|---|---|---:|---|---|");
        foreach (IlgpuDeviceEntry d in IlgpuDeviceSurvey.List())
        {
            string memory = d.MemoryBytes > 0 ? $"{d.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB" : "";
            Console.WriteLine($"| {d.Backend} | {d.Name} | {memory} | {d.Details} | {(d.Usable ? "yes" : "no")} |");
        }
        Console.WriteLine();
    }

    private static string Choose(string backend)
    {
        if (backend != AcceleratorFactory.Auto)
        {
            if (!IlgpuBackend.All.Contains(backend))
                throw new GpuNetException($"--backend: doctor checks an ILGPU backend: {string.Join(", ",
                    IlgpuBackend.All)} or auto, not '{backend}'");
            return backend;
        }
        if (IlgpuDeviceSurvey.HasCuda(out _)) return IlgpuBackend.Cuda;
        if (IlgpuDeviceSurvey.HasOpenCL(out _)) return IlgpuBackend.OpenCL;
        Console.WriteLine("No GPU found (see the table above): checking the kernels on ILGPU's CPU accelerator.");
        return IlgpuBackend.Cpu;
    }

    private static int CheckKernels(IAccelerator cpu, IAccelerator device)
    {
        Console.WriteLine($"Every kernel on {device.Name} against the CPU accelerator:");
        Console.WriteLine();
        Console.WriteLine("| operation | case | largest difference | tolerance (abs, rel) | result |");
        Console.WriteLine("|---|---|---:|---|---|");
        int failures = 0;
        foreach (KernelCheck check in DeviceChecks.All())
        {
            KernelCheckResult result = check.Run(cpu, device);
            if (!result.Passed) failures++;
            Console.WriteLine($"| {check.Operation} | {check.Case} | {result.WorstDifference:E1} | " +
                $"{check.Tolerance.Absolute:G2}, " +
                $"{check.Tolerance.Relative:G2} | {(result.Passed ? "ok" : "MISMATCH " + result.Mismatch)} |");
        }
        Console.WriteLine();
        return failures;
    }

    private static int CheckTraining(IAccelerator cpu, IAccelerator device, int steps)
    {
        var (expected, actual) = TrainingComparison.Run(cpu, device, steps);
        double worst = TrainingComparison.WorstRelativeDifference(expected, actual);
        bool passed = worst <= TrainingTolerance;
        Console.WriteLine($"Training {steps} steps of a small CNN (conv, max pool, batch norm, dropout, Adam) on " +
            $"both: loss " +
            $"{expected[0]:F4} → {expected[^1]:F4} on the CPU, " +
                $"{actual[0]:F4} → {actual[^1]:F4} on {device.Name}; largest relative " +
            $"difference {worst:E1} (limit {TrainingTolerance:E0}): {(passed ? "ok" : "MISMATCH")}");
        return passed ? 0 : 1;
    }
}
