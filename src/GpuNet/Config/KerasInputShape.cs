namespace GpuNet.Config;

/// <summary>
/// Keras's ways of giving the model's input shape among its layers: <c>input_shape</c> (or
/// <c>input_dim</c>, <c>batch_input_shape</c>) on the first layer, as every lecture writes it, or an
/// <c>Input</c> / <c>InputLayer</c> entry ahead of the layers. Neither is a layer of its own: Keras's
/// summary lists no row for them, and neither does ours.
/// </summary>
public static class KerasInputShape
{
    private static readonly string[] FirstLayerKeys = ["input_shape", "input_dim", "batch_input_shape"];

    private static readonly string[] InputLayerNames = ["Input", "InputLayer"];

    /// <summary>
    /// The input shape the layer list declares (null when it declares none) with its place, and the layers without it.
    /// </summary>
    public static (int[]? Shape, ConfigNode? Where, IReadOnlyList<KerasEntry> Layers) Take(
        IReadOnlyList<ConfigNode> layerNodes)
    {
        int[]? shape = null;
        ConfigNode? where = null;
        var layers = new List<KerasEntry>();
        for (int i = 0; i < layerNodes.Count; i++)
        {
            ConfigNode node = layerNodes[i];
            (string name, ConfigNode? arguments) = NamedEntryCatalog<object>.Split(node);
            if (InputLayerNames.Contains(name))
            {
                if (i > 0)
                    throw node.Error($"{name} gives the model's input and comes first in model.layers");
                KerasEntry input = KerasEntry.Of(node, name, arguments, KerasSignatures.InputLayers[name]);
                (shape, where) = (ReadInputLayer(input), node);
                continue;
            }
            KerasEntry entry = LayerCatalog.Parse(node);
            foreach (string key in FirstLayerKeys)
            {
                if (entry.Get(key) is not { } value) continue;
                if (layers.Count > 0 || shape is not null)
                    throw value.Error($"'{key}' belongs on the first layer of the model (Keras reads it there alone)");
                if (where is not null)
                {
                    throw value.Error(
                        $"the input shape is given twice here; give one of {string.Join(", ", FirstLayerKeys)}");
                }
                shape = ReadShape(value, key);
                where = value;
            }
            layers.Add(entry.Without(FirstLayerKeys));
        }
        if (layers.Count == 0)
            throw layerNodes[0].Error("the model has an input but no layers; a model needs at least one layer");
        return (shape, where, layers);
    }

    private static int[] ReadInputLayer(KerasEntry entry)
    {
        var args = new ConfigArguments(entry.Node, entry.Arguments);
        int[]? shape = null;
        foreach (string key in new[] { "shape", "input_shape", "batch_shape", "batch_input_shape" })
        {
            if (args.Get(key) is not { } value || value.IsNull) continue;
            if (shape is not null) throw value.Error($"the input shape is given twice; give one of shape, batch_shape");
            shape = ReadShape(value, key);
        }
        if (args.Get("batch_size") is { } batch && !batch.IsNull)
            throw batch.Error("the batch size is the config's batch_size, not the input layer's");
        if (args.Get("dtype") is { } dtype && !dtype.IsNull && dtype.AsString() != "float32")
            throw dtype.Error($"GpuNet computes in float32; got dtype '{dtype.AsString()}'");
        foreach (string flag in new[] { "sparse", "ragged" })
        {
            if (args.Get(flag) is { } value && !value.IsNull && value.AsBool())
                throw value.Error($"{flag} inputs are not supported; the input is a dense float32 image or vector");
        }
        args.Get("name");  // Keras's name for the input tensor: nothing in GpuNet refers to it.
        args.RejectUnknown(entry.Name);
        return shape
            ?? throw entry.Node.Error($"{entry.Name} needs the shape of one sample, like {entry.Name}: [[28, 28, 1]]");
    }

    /// <summary>
    /// One sample's shape: input_shape [28, 28, 1], input_dim 784, or a batch shape [null, 28, 28, 1] with the
    /// batch left open.
    /// </summary>
    private static int[] ReadShape(ConfigNode node, string key)
    {
        if (key == "input_dim") return [node.AsPositiveInt()];
        IReadOnlyList<ConfigNode> items = node.Items();
        if (key.StartsWith("batch_", StringComparison.Ordinal))
        {
            if (items.Count < 2 || !items[0].IsNull)
                throw node.Error("expected the batch left open and the sizes of one sample, like [null, 28, 28, 1]");
            items = items.Skip(1).ToList();
        }
        if (items.Count == 0) throw node.Error("expected the sizes of one sample, like [28, 28, 1] or [784]");
        return items.Select(item => item.IsNull
            ? throw item.Error("every size of the input must be given: GpuNet's inputs have a fixed shape")
            : item.AsPositiveInt()).ToArray();
    }
}
