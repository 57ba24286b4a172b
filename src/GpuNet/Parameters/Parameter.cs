using GpuNet.Accelerators;
using GpuNet.Tensors;

namespace GpuNet.Parameters;

/// <summary>
/// A weight tensor of the model with its gradient. Shapes are known when the graph is built;
/// buffers exist only once the model is compiled onto an accelerator.
/// </summary>
public sealed class Parameter(string name, int[] shape, Initializer initializer, bool trainable = true)
{
    /// <summary>Unique within a model, e.g. "dense_1/kernel" (used in checkpoints).</summary>
    public string Name { get; } = name;

    public int[] Shape { get; } = shape;

    public int Length { get; } = ShapeOf.ElementCount(shape);

    public Initializer Initializer { get; } = initializer;

    /// <summary>False for state that training updates without a gradient (batch norm's moving averages).</summary>
    public bool Trainable { get; } = trainable;

    /// <summary>The weight penalty added to the loss for this parameter, if any.</summary>
    public Regularizer? Regularizer { get; init; }

    /// <summary>
    /// Inputs and outputs that one weight connects, for the scaled initializers. A Dense kernel
    /// [in, out] connects in → out; a convolution kernel [filters, channels, kh, kw] connects
    /// channels·kh·kw → filters·kh·kw, as Keras counts them.
    /// </summary>
    public (int FanIn, int FanOut) Fans => Shape.Length switch
    {
        0 => (1, 1),
        1 => (Shape[0], Shape[0]),
        2 => (Shape[0], Shape[1]),
        _ => (Shape[1] * ShapeOf.ElementCount(Shape.AsSpan(2)), Shape[0] * ShapeOf.ElementCount(Shape.AsSpan(2))),
    };

    public Tensor Value => _value
        ?? throw new InvalidOperationException($"Parameter {Name} has no buffer: compile the model first.");

    public Tensor Gradient => _gradient
        ?? throw new InvalidOperationException($"Parameter {Name} has no gradient buffer.");

    public bool IsAllocated => _value is not null;

    private Tensor? _value, _gradient;

    internal void Allocate(IAccelerator accelerator)
    {
        _value = new Tensor(accelerator.Allocate(Length), Shape);
        if (Trainable) _gradient = new Tensor(accelerator.Allocate(Length), Shape);
    }

    internal void Release()
    {
        _value?.Buffer.Dispose();
        _gradient?.Buffer.Dispose();
        _value = _gradient = null;
    }
}
