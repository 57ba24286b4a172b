namespace GpuNet.Tensors;

/// <summary>Arithmetic and display of shapes held as int arrays.</summary>
public static class ShapeOf
{
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape) count *= d;
        return checked((int)count);
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
}
