using GpuNet.Accelerators;
using GpuNet.Models;
using GpuNet.Parameters;

namespace GpuNet.Training;

/// <summary>
/// Sums ‖∂loss/∂kernel‖² per layer on the device at every step (taken by the optimizer's update as it
/// reads each kernel's gradient, no host transfer), read once per epoch as the root mean square over
/// the steps.
/// </summary>
internal sealed class GradientNormMonitor : IDisposable
{
    private readonly IAccelerator _accelerator;
    private readonly (string Layer, Parameter Kernel)[] _kernels;
    private readonly DeviceBuffer? _sums;

    public GradientNormMonitor(IAccelerator accelerator, ModelGraph model)
    {
        _accelerator = accelerator;
        _kernels = model.Layers
            .SelectMany(l =>
                l.Parameters.Where(p => p.Trainable && p.Name.EndsWith("/kernel", StringComparison.Ordinal)).Select(p =>
                    (l.Name, p)))
            .ToArray();
        if (_kernels.Length > 0) _sums = accelerator.Allocate(_kernels.Length);
    }

    public void Reset()
    {
        if (_sums is not null) _accelerator.Fill(0f, _kernels.Length, _sums);
    }

    /// <summary>
    /// For each of the parameters an optimizer updates, where its update adds the gradient's Σg² (its kernel's
    /// place in the sums), or null: the optimizer takes each step's sums in its own pass over the gradients, which
    /// then are read once, not twice.
    /// </summary>
    public GradientSquares?[] TargetsFor(IReadOnlyList<Parameter> updated)
    {
        var targets = new GradientSquares?[updated.Count];
        for (int i = 0; i < _kernels.Length; i++)
        {
            int place = IndexOf(updated, _kernels[i].Kernel);
            if (place < 0)
                throw new InvalidOperationException($"The kernel of layer '{_kernels[i].Layer}' is trainable but " +
                                                    "not among the parameters the optimizer updates.");
            targets[place] = new GradientSquares(_sums!, i);
        }
        return targets;
    }

    private static int IndexOf(IReadOnlyList<Parameter> parameters, Parameter wanted)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (ReferenceEquals(parameters[i], wanted)) return i;
        return -1;
    }

    /// <summary>The sums so far, for a checkpoint taken in the middle of an epoch.</summary>
    public float[] ReadSums()
    {
        float[] sums = new float[_kernels.Length];
        if (_sums is not null) _accelerator.Download(_sums, sums);
        return sums;
    }

    /// <summary>Puts back the sums of <see cref="ReadSums"/>, so a resumed epoch reports what the uninterrupted one
    /// would.</summary>
    public void RestoreSums(float[] sums, string source)
    {
        if (sums.Length != _kernels.Length)
            throw new GpuNetException($"{source}: holds gradient norms of {sums.Length} layers but this model has " +
                                      $"{_kernels.Length} layers with a kernel");
        if (_sums is not null) _accelerator.Upload(sums, _sums);
    }

    public IReadOnlyList<LayerGradientNorm> Read(int steps)
    {
        if (_sums is null) return [];
        float[] sums = ReadSums();
        return _kernels.Select((k, i) =>
            new LayerGradientNorm(k.Layer, MathF.Sqrt(sums[i] / Math.Max(1, steps)))).ToArray();
    }

    public void Dispose() => _sums?.Dispose();
}
