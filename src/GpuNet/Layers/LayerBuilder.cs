using GpuNet.Graph;
using GpuNet.Models;

namespace GpuNet.Layers;

/// <summary>What a layer uses to add its ops and parameters to the graph.</summary>
public sealed class LayerBuilder(ComputationGraph graph)
{
    private readonly List<Parameter> _parameters = [];

    public ComputationGraph Graph { get; } = graph;

    /// <summary>The layer's unique name in the model, e.g. "dense_1".</summary>
    public string LayerName { get; internal set; } = "";

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public Parameter AddParameter(string name, int[] shape, Initializer initializer, bool trainable = true, Regularizer? regularizer = null)
    {
        try
        {
            initializer.Validate(shape);
        }
        catch (GpuNetException e)
        {
            throw new GpuNetException($"{name}: {e.Message}");
        }
        var parameter = new Parameter($"{LayerName}/{name}", shape, initializer, trainable) { Regularizer = regularizer };
        _parameters.Add(parameter);
        return parameter;
    }

    internal void ClearParameters() => _parameters.Clear();
}
