using GpuNet.Tensors;

namespace GpuNet.Parameters;

/// <summary>
/// Weights written out in the config, as Keras's <c>weights=[kernel, bias]</c> argument (the
/// lecture's slow-learning demo sets a 1-1-1 network to 2, 3, 4, 5 by hand).
/// </summary>
public sealed class ExplicitInitializer(float[] values, int[] shape) : Initializer
{
    public float[] Values { get; } = values;

    /// <summary>The shape the values were written in, e.g. [1, 1] for [[2.0]].</summary>
    public int[] Shape { get; } = shape;

    public override string Name => "explicit";

    public override void Validate(int[] shape)
    {
        if (!shape.SequenceEqual(Shape))
            throw new GpuNetException($"explicit weights have shape {ShapeOf.Format(Shape)} but the parameter is " +
                $"{ShapeOf.Format(shape)}");
    }

    public override void Fill(Span<float> destination, int[] shape, int fanIn, int fanOut, ulong seed, ulong stream)
    {
        Validate(shape);
        Values.CopyTo(destination);
    }
}
