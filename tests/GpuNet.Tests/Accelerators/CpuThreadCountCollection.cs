namespace GpuNet.Tests.Accelerators;

/// <summary>
/// Tests that change <see cref="GpuNet.Accelerators.Cpu.Threads.CpuParallel.ThreadCount"/>, a process-wide setting,
/// or that count a step's allocations (which a new worker thread, started for a larger count, would add to): they
/// run alone, after the tests that run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuThreadCountCollection
{
    public const string Name = "CPU thread count";
}
