using GpuNet.Graph;
using GpuNet.Layers;
using GpuNet.Tensors;

namespace GpuNet.Models;

/// <summary>
/// A stack of layers, as Keras's Sequential. Building it checks that every layer connects and
/// yields the graph; a Trainer puts it on an accelerator with a loss and an optimizer.
/// </summary>
public sealed class Sequential
{
    public Sequential(int[] inputShape, IEnumerable<Layer> layers)
    {
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new GpuNetException($"the input shape must be positive sizes, got {ShapeOf.Format(inputShape)}");
        InputShape = inputShape;
        Layers = layers.ToList();
        if (Layers.Count == 0) throw new GpuNetException("a model needs at least one layer");
    }

    /// <summary>Per-sample input shape in Keras's order, e.g. (28, 28) or (28, 28, 1).</summary>
    public int[] InputShape { get; }

    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Builds a fresh graph with fresh (unallocated) parameters.</summary>
    public ModelGraph Build()
    {
        var graph = new ComputationGraph();
        int[] internalInput = InputShape.Length == 3 ? [InputShape[2], InputShape[0], InputShape[1]] : InputShape;
        Value input = graph.AddInput(internalInput);
        Value current = input;
        var builder = new LayerBuilder(graph);
        var built = new List<BuiltLayer>();
        var nameCounts = new Dictionary<string, int>();
        for (int i = 0; i < Layers.Count; i++)
        {
            Layer layer = Layers[i];
            int seen = nameCounts.GetValueOrDefault(layer.NameStem);
            nameCounts[layer.NameStem] = seen + 1;
            builder.LayerName = seen == 0 ? layer.NameStem : $"{layer.NameStem}_{seen}";
            builder.ClearParameters();
            try
            {
                current = layer.Build(builder, current);
            }
            catch (GpuNetException e) when (e is not LayerException)
            {
                throw new LayerException(i, layer.TypeName, e.Message);
            }
            built.Add(new BuiltLayer(layer, builder.LayerName, current, builder.Parameters.ToList()));
        }
        return new ModelGraph(graph, input, current, built);
    }

    /// <summary>Keras's model.summary(): layer, output shape, parameter count, totals.</summary>
    public string Summary() => Build().Summary();
}
