using System.Text;
using System.Text.Json.Nodes;
using static GpuNet.Config.Import.KerasConfigReader;

namespace GpuNet.Config.Import;

/// <summary>
/// A Keras Sequential model as a GpuNet config with the same layers and arguments: the input
/// shape from its InputLayer (or the first layer's batch input shape), each layer translated or
/// refused by name, and — from a .keras file's compile_config — the loss, optimizer and metrics.
/// </summary>
public static class KerasModelImport
{
    private static string Supported => string.Join(", ", KerasLayerImport.Names);

    public static string ToConfig(KerasModelFile file)
    {
        string path = file.Path;
        JsonArray layers = file.Model["layers"] as JsonArray
            ?? throw new GpuNetException($"{path}: the Sequential model has no \"layers\" list");
        if (IsFalse(file.Model["trainable"]))
            throw new GpuNetException($"{path}: the model is frozen (\"trainable\": false); it imports to train");
        int[]? inputShape = null;
        var entries = new List<string>();
        int rank = 0;
        string? lastActivation = null;
        for (int i = 0; i < layers.Count; i++)
        {
            JsonObject layer = layers[i] as JsonObject
                ?? throw new GpuNetException($"{path}: layers[{i}] is not a Keras layer object");
            string className = Text(layer["class_name"])
                ?? throw new GpuNetException($"{path}: layers[{i}] has no class_name");
            JsonObject config = layer["config"] as JsonObject ?? [];
            var c = new KerasConfigReader($"{path}: layers[{i}] '{Text(config["name"]) ?? "?"}' ({className})", config);
            if (Text(layer["registered_name"]) is { } custom && custom != className)
                throw c.Error($"is the custom layer '{custom}'; GpuNet imports Keras's built-in layers {Supported}");
            if (DeclaredInputShape(c, className == "InputLayer") is { } declared)
            {
                if (inputShape is not null && !inputShape.SequenceEqual(declared))
                {
                    throw c.Error(
                        $"declares the input shape {FlowYaml.List(declared)} after {FlowYaml.List(inputShape)}");
                }
                inputShape = declared;
                rank = declared.Length + 1;
            }
            if (className == "InputLayer")
            {
                if (i > 0) throw c.Error("an InputLayer after the first layer; a Sequential model's input comes first");
                c.RejectUnread();
                continue;
            }
            if (!KerasLayerImport.IsSupported(className))
                throw c.Error($"GpuNet has no {className} layer; the Keras layers it imports are {Supported}");
            inputShape ??= BuiltInputShape(layer, file.Model);
            if (inputShape is not null && rank == 0) rank = inputShape.Length + 1;
            entries.Add(KerasLayerImport.Translate(className, c, ref rank));
            lastActivation = ActivationOf(className, config) ?? lastActivation;
        }
        if (entries.Count == 0) throw new GpuNetException($"{path}: the Sequential model has no layers");
        if (inputShape is null)
        {
            throw new GpuNetException(
                $"{path}: the model does not say its input shape (it was saved before it was built); " +
                "Keras writes it when the first layer has input_shape=… or the model starts with " +
                "keras.Input(shape=…)");
        }
        return Write(file, inputShape, entries, lastActivation);
    }

    /// <summary>
    /// The sample shape in a layer's batch_input_shape (Keras 2) or an InputLayer's batch_shape
    /// (Keras 3), without its batch dimension; GpuNet's inputs have every other size fixed.
    /// </summary>
    private static int[]? DeclaredInputShape(KerasConfigReader c, bool inputLayer)
    {
        if (inputLayer)
        {
            c.Ignore("name");
            KerasLayerImport.CheckTrainableFloat32(c);
            c.Require("sparse", "false", v => v is null || IsFalse(v));
            c.Require("ragged", "false", v => v is null || IsFalse(v));
        }
        foreach (string key in new[] { "batch_input_shape", "batch_shape" })
        {
            if (c[key] is not JsonArray shape) continue;
            return SampleShape(shape) ?? throw c.Error(
                key, $"is {Show(shape)}; expected the batch left open and every size of a sample given, " +
                     "like [null, 28, 28, 1]");
        }
        return null;
    }

    /// <summary>
    /// Keras 3's record of the shape a layer was built for, "build_config": {"input_shape": [null, 784]},
    /// or the model's build_input_shape.
    /// </summary>
    private static int[]? BuiltInputShape(JsonObject layer, JsonObject model) =>
        layer["build_config"]?["input_shape"] is JsonArray shape ? SampleShape(shape)
        : model["build_input_shape"] is JsonArray modelShape ? SampleShape(modelShape)
        : null;

    private static int[]? SampleShape(JsonArray batchShape)
    {
        if (batchShape.Count < 2 || batchShape[0] is not null) return null;
        var sizes = new int[batchShape.Count - 1];
        for (int i = 1; i < batchShape.Count; i++)
        {
            if (batchShape[i] is not JsonValue v || !v.TryGetValue(out int size) || size <= 0) return null;
            sizes[i - 1] = size;
        }
        return sizes;
    }

    private static string? ActivationOf(string className, JsonObject config) => className switch
    {
        "Softmax" => "softmax",
        "ReLU" => "relu",
        _ => Text(config["activation"]),
    };

    private static string Write(KerasModelFile file, int[] inputShape, List<string> layers, string? lastActivation)
    {
        string modelName = Text(file.Model["name"]) ?? Path.GetFileNameWithoutExtension(file.Path);
        string from = Path.GetFileName(file.Path) + (file.KerasVersion is { } version ? $", Keras {version}" : "");
        var yaml = new StringBuilder();
        yaml.AppendLine($"# Imported by gpunet import-keras from {from}: the Sequential model '{modelName}'.");
        yaml.AppendLine("# Layer names are GpuNet's own (dense, dense_1, …), and weights are not imported.");
        yaml.AppendLine($"name: {FlowYaml.String(modelName)}");
        yaml.AppendLine("dataset: mnist                  # not in the model file: mnist | fashion-mnist");
        yaml.AppendLine("model:");
        yaml.AppendLine($"  input_shape: {FlowYaml.List(inputShape)}");
        yaml.AppendLine("  layers:");
        foreach (string layer in layers) yaml.AppendLine($"    - {layer}");
        if (file.CompileConfig is { } compile)
        {
            var (loss, optimizer, metrics) = KerasCompileImport.Translate(file.Path, compile);
            yaml.AppendLine($"loss: {loss}");
            yaml.AppendLine($"optimizer: {optimizer}");
            yaml.AppendLine($"metrics: {metrics}");
        }
        else
        {
            string loss = lastActivation == "softmax" ? "categorical_crossentropy" : "mean_squared_error";
            yaml.AppendLine("# Not in the model file (model.to_json() holds the layers only): a loss that");
            yaml.AppendLine("# suits the last layer, and Keras's compile() default optimizer. Set them as the");
            yaml.AppendLine("# model was trained.");
            yaml.AppendLine($"loss: {loss}");
            yaml.AppendLine("optimizer: {RMSprop: {learning_rate: 0.001}}");
            yaml.AppendLine("metrics: [accuracy]");
        }
        yaml.AppendLine("batch_size: 32                  # not in the model file: Keras's fit() default");
        yaml.AppendLine("epochs: 1                       # not in the model file: Keras's fit() default");
        return yaml.ToString();
    }
}
