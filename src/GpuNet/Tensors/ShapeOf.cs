namespace GpuNet.Tensors;

/// <summary>Arithmetic and display of shapes held as int arrays.</summary>
public static class ShapeOf
{
    /// <summary>
    /// The most float32 values one buffer may hold: the largest .NET array, which also keeps every
    /// index a kernel computes inside an int.
    /// </summary>
    public static int MaximumBufferLength => Array.MaxLength;

    /// <summary>The product of the sizes, refused with the shape and the bytes it would need when one buffer cannot
    /// hold it.</summary>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = LongElementCount(shape);
        if (count <= MaximumBufferLength && count >= int.MinValue) return (int)count;
        throw new GpuNetException(
            $"shape {Format(shape.ToArray())} has {Count(count)} values, {ByteSize.OfFloats(count)}, more than the " +
            $"{MaximumBufferLength:N0} one buffer can hold and an int can index");
    }

    /// <summary>
    /// The product of the sizes in 64 bits, for sizes checked before anything is allocated;
    /// saturates at long.MaxValue (a −1 "any size" entry of a reshape target keeps its sign).
    /// </summary>
    public static long LongElementCount(ReadOnlySpan<int> shape)
    {
        foreach (int d in shape)
            if (d == 0) return 0;
        Int128 count = 1;
        foreach (int d in shape)
        {
            count *= d;
            if (Int128.Abs(count) > long.MaxValue) return count > 0 ? long.MaxValue : long.MinValue;
        }
        return (long)count;
    }

    /// <summary>"(28, 28)"; a leading null stands for the batch dimension, as Keras prints it.</summary>
    public static string Format(IEnumerable<int> shape, bool withBatch = false)
    {
        var parts = shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (withBatch) parts = parts.Prepend("None");
        var list = parts.ToList();
        return list.Count == 1 ? $"({list[0]},)" : $"({string.Join(", ", list)})";
    }

    /// <summary>
    /// Keras's order for display: a channels-first [C, H, W] shape prints as (H, W, C).
    /// </summary>
    public static int[] ToChannelsLast(int[] shape) =>
        shape.Length == 3 ? [shape[1], shape[2], shape[0]] : shape;

    public static int[] WithBatch(int batch, int[] sampleShape) => [batch, .. sampleShape];

    private static string Count(long count) =>
        count == long.MaxValue
            ? "more than 9.2·10¹⁸"
            : count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
