using GpuNet.Parameters;
using System.Globalization;
using System.Text;
using GpuNet.Graph;
using GpuNet.Tensors;

namespace GpuNet.Models;

/// <summary>The graph a Sequential built, with the layers' names and parameters.</summary>
public sealed class ModelGraph(ComputationGraph graph, Value input, Value output, IReadOnlyList<BuiltLayer> layers)
{
    public ComputationGraph Graph { get; } = graph;

    public Value Input { get; } = input;

    public Value Output { get; } = output;

    public IReadOnlyList<BuiltLayer> Layers { get; } = layers;

    public IReadOnlyList<Parameter> Parameters => Layers.SelectMany(l => l.Parameters).ToList();

    public long TrainableParameterCount => Parameters.Where(p => p.Trainable).Sum(p => (long)p.Length);

    public long NonTrainableParameterCount => Parameters.Where(p => !p.Trainable).Sum(p => (long)p.Length);

    /// <summary>Keras's summary table, one row per layer: "dense_1 (Dense)", "(None, 30)", its parameter
    /// count.</summary>
    public IReadOnlyList<(string Name, string OutputShape, long Parameters)> SummaryRows() =>
        Layers.Select(l => ($"{l.Name} ({l.Layer.TypeName})",
            ShapeOf.Format(ShapeOf.ToChannelsLast(l.Output.SampleShape), withBatch: true), l.ParameterCount)).ToList();

    public string Summary()
    {
        var rows = SummaryRows().Select(r => (r.Name, Shape: r.OutputShape,
            Count: r.Parameters.ToString("N0", CultureInfo.InvariantCulture))).ToList();
        int nameWidth = Math.Max(28, rows.Max(r => r.Name.Length) + 2);
        int shapeWidth = Math.Max(25, rows.Max(r => r.Shape.Length) + 2);
        int width = nameWidth + shapeWidth + 12;
        var text = new StringBuilder();
        text.AppendLine("Model: \"sequential\"");
        text.AppendLine(new string('_', width));
        text.AppendLine($"{"Layer (type)".PadRight(nameWidth)}{"Output Shape".PadRight(shapeWidth)}Param #");
        text.AppendLine(new string('=', width));
        for (int i = 0; i < rows.Count; i++)
        {
            text.AppendLine($"{rows[i].Name.PadRight(nameWidth)}{rows[i].Shape.PadRight(shapeWidth)}{rows[i].Count}");
            text.AppendLine(new string(i == rows.Count - 1 ? '=' : '_', width));
        }
        long trainable = TrainableParameterCount, frozen = NonTrainableParameterCount;
        text.AppendLine($"Total params: {(trainable + frozen).ToString("N0", CultureInfo.InvariantCulture)}");
        text.AppendLine($"Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)}");
        text.AppendLine($"Non-trainable params: {frozen.ToString("N0", CultureInfo.InvariantCulture)}");
        text.Append(new string('_', width));
        return text.ToString();
    }
}
