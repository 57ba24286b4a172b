namespace GpuNet.Graph;

/// <summary>
/// An edge of the graph: the output of one node (or a graph input), described per sample.
/// The batch dimension is left out because one graph serves every batch size.
/// </summary>
public sealed class Value
{
    internal Value(int id, int[] sampleShape, Node? producer)
    {
        Id = id;
        SampleShape = sampleShape;
        SampleSize = Tensors.ShapeOf.ElementCount(sampleShape);
        Producer = producer;
    }

    public int Id { get; }

    public int[] SampleShape { get; }

    /// <summary>Elements per sample.</summary>
    public int SampleSize { get; }

    /// <summary>The node that computes this value; null for a graph input.</summary>
    public Node? Producer { get; }
}
