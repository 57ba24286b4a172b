using GpuNet.Accelerators;
using GpuNet.Parameters;

namespace GpuNet.Optimizers;

/// <summary>
/// Turns gradients into parameter updates with Keras 2's rules and defaults. Each update is one
/// fused kernel per parameter tensor, so it runs wherever the parameters live; per-parameter
/// state (moments, accumulators) lives beside them in "slots".
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<Parameter, DeviceBuffer[]> _slots = [];

    protected Optimizer(float learningRate, float decay)
    {
        if (!(learningRate > 0f) || !float.IsFinite(learningRate))
            throw new GpuNetException($"{GetType().Name}: 'lr' must be a positive number, got {learningRate}");
        if (!(decay >= 0f) || !float.IsFinite(decay))
            throw new GpuNetException($"{GetType().Name}: 'decay' must be a number ≥ 0, got {decay}");
        LearningRate = learningRate;
        Decay = decay;
    }

    /// <summary>The Keras class name, e.g. "SGD".</summary>
    public abstract string Name { get; }

    /// <summary>The base learning rate; schedules change it between epochs or steps.</summary>
    public float LearningRate { get; set; }

    /// <summary>Keras's time-based decay: step t uses lr / (1 + decay·(t − 1)).</summary>
    public float Decay { get; }

    /// <summary>Names of the per-parameter state tensors, e.g. ["m", "v"] for Adam.</summary>
    public virtual IReadOnlyList<string> SlotNames => [];

    /// <summary>Allocates zeroed state for every parameter before the first update.</summary>
    public void Build(IAccelerator accelerator, IReadOnlyList<Parameter> parameters)
    {
        foreach (Parameter p in parameters)
            _slots[p] = SlotNames.Select(_ => accelerator.Allocate(p.Length)).ToArray();
    }

    /// <summary>Applies one update to every parameter; <paramref name="iteration"/> counts from 1. Where
    /// <paramref name="squares"/> is given, parameter i's update also adds its gradient's Σg² to squares[i] (none
    /// where that is null).</summary>
    public void Apply(IAccelerator accelerator, IReadOnlyList<Parameter> parameters, long iteration,
        IReadOnlyList<GradientSquares?>? squares = null)
    {
        if (squares is not null && squares.Count != parameters.Count)
            throw new ArgumentException($"{squares.Count} gradient-square targets for {parameters.Count} parameters.",
                nameof(squares));
        float learningRate = LearningRate / (1f + Decay * (iteration - 1));
        BeginStep(iteration);
        // By index: a foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < parameters.Count; i++)
            Update(accelerator, parameters[i], learningRate, iteration, _slots[parameters[i]], squares?[i]);
    }

    /// <summary>Every state tensor, named "&lt;parameter&gt;/&lt;slot&gt;", for checkpoints.</summary>
    public IEnumerable<(string Name, Parameter Parameter, DeviceBuffer Buffer)> Slots =>
        _slots.SelectMany(entry =>
            entry.Value.Select((buffer, i) => ($"{entry.Key.Name}/{SlotNames[i]}", entry.Key, buffer)));

    /// <summary>Brings step-dependent host state up to <paramref name="iterations"/> completed steps (after a
    /// resume).</summary>
    public virtual void Restore(long iterations) { }

    public void Release()
    {
        foreach (DeviceBuffer buffer in _slots.Values.SelectMany(b => b)) buffer.Dispose();
        _slots.Clear();
    }

    /// <summary>The optimizer's arguments by their Keras names.</summary>
    public abstract IReadOnlyDictionary<string, object?> GetConfig();

    protected virtual void BeginStep(long iteration) { }

    /// <param name="squares">Where the update also adds Σg² of the parameter's gradient, or null.</param>
    protected abstract void Update(IAccelerator accelerator, Parameter parameter, float learningRate, long iteration,
        DeviceBuffer[] slots, GradientSquares? squares);

    protected static float InRange(string optimizer, string name, float value, float min, float max) =>
        value >= min && value <= max ? value
            : throw new GpuNetException($"{optimizer}: '{name}' must be between {min} and {max}, got {value}");

    protected static float Positive(string optimizer, string name, float value) =>
        value > 0f && float.IsFinite(value) ? value
            : throw new GpuNetException($"{optimizer}: '{name}' must be a positive number, got {value}");
}
