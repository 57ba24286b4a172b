using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Benchmarks;

/// <summary>What a benchmark ran on, in one line: processor model, cores, runtime.</summary>
public static class MachineDescription
{
    public static string Current()
    {
        string cpu = "unknown processor";
        if (File.Exists("/proc/cpuinfo"))
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l =>
                l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        string simd = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" :
            System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "no wide SIMD";
        return $"{cpu}, {Environment.ProcessorCount} cores, {simd}, .NET {Environment.Version}, " +
            $"{Accelerators.Cpu.Threads.CpuParallel.ThreadCount} threads";
    }
}
