using GpuNet.Accelerators;
using GpuNet.Models;

namespace GpuNet.Optimizers;

/// <summary>
/// Turns gradients into parameter updates. Each update is one fused kernel per parameter tensor,
/// so it runs wherever the parameters live.
/// </summary>
public abstract class Optimizer
{
    /// <summary>The Keras class name, e.g. "SGD".</summary>
    public abstract string Name { get; }

    public float LearningRate { get; set; }

    /// <summary>Allocates per-parameter state (moments, velocities) before the first update.</summary>
    public virtual void Build(IAccelerator accelerator, IReadOnlyList<Parameter> parameters) { }

    /// <summary>Applies one update to every trainable parameter; <paramref name="iteration"/> counts from 1.</summary>
    public abstract void Apply(IAccelerator accelerator, IReadOnlyList<Parameter> parameters, long iteration);

    /// <summary>The optimizer's arguments by their Keras names.</summary>
    public abstract IReadOnlyDictionary<string, object?> GetConfig();
}
