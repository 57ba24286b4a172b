using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Tensors;

namespace GpuNet.Layers;

/// <summary>What a layer uses to add its ops and parameters to the graph.</summary>
public sealed class LayerBuilder(ComputationGraph graph)
{
    private readonly List<Parameter> _parameters = [];

    public ComputationGraph Graph { get; } = graph;

    /// <summary>The layer's unique name in the model, e.g. "dense_1".</summary>
    public string LayerName { get; internal set; } = "";

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public Parameter AddParameter(string name, int[] shape, Initializer initializer, bool trainable = true,
        Regularizer? regularizer = null)
    {
        // Counted in 64 bits first: an int product would wrap, or fail with no word of which weights.
        long count = ShapeOf.LongElementCount(shape);
        if (count > ShapeOf.MaximumBufferLength)
            throw new GpuNetException(
                $"its {name} of shape {ShapeOf.Format(shape)} would hold {count:N0} weights, " +
                $"{ByteSize.OfFloats(count)}, more than the {ShapeOf.MaximumBufferLength:N0} one buffer can hold; " +
                "use fewer units or filters, or a smaller input");
        try
        {
            initializer.Validate(shape);
        }
        catch (GpuNetException e)
        {
            throw new GpuNetException($"{name}: {e.Message}");
        }
        var parameter = new Parameter($"{LayerName}/{name}", shape, initializer,
            trainable) { Regularizer = regularizer };
        _parameters.Add(parameter);
        return parameter;
    }

    internal void ClearParameters() => _parameters.Clear();
}
