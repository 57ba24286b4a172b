using GpuNet.Accelerators;

namespace GpuNet.Tensors;

/// <summary>
/// A shaped view of a device buffer: float32, row-major, batch first. Several tensors may view the
/// same buffer (a reshape costs nothing); whoever allocated the buffer owns it.
/// </summary>
public sealed class Tensor
{
    public Tensor(DeviceBuffer buffer, int[] shape)
    {
        int length = ShapeOf.ElementCount(shape);
        if (length > buffer.Length)
            throw new ArgumentException($"Shape {ShapeOf.Format(shape)} needs {length} elements; the buffer holds " +
                $"{buffer.Length}.");
        Buffer = buffer;
        Shape = shape;
        Length = length;
    }

    public DeviceBuffer Buffer { get; }

    public int[] Shape { get; }

    /// <summary>Number of elements: the product of the shape.</summary>
    public int Length { get; }

    public override string ToString() => $"Tensor{ShapeOf.Format(Shape)}";
}
