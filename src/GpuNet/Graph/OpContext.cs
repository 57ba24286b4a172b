using GpuNet.Accelerators;

namespace GpuNet.Graph;

/// <summary>What an op needs to know about the step being run, besides its tensors.</summary>
public sealed class OpContext(IAccelerator accelerator)
{
    public IAccelerator Accelerator { get; } = accelerator;

    public int BatchSize { get; internal set; }

    /// <summary>Training mode: dropout drops and batch norm uses batch statistics.</summary>
    public bool Training { get; internal set; }

    /// <summary>The run's seed, for ops that draw random numbers.</summary>
    public ulong Seed { get; internal set; }

    /// <summary>Counts training steps from the start of the run; random ops draw from it.</summary>
    public long Step { get; internal set; }

    /// <summary>Index of the node being run, so two random ops in one step draw different numbers.</summary>
    public int NodeIndex { get; internal set; }
}
