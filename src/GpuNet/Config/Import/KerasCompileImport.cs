using System.Globalization;
using System.Text.Json.Nodes;
using static GpuNet.Config.Import.KerasConfigReader;

namespace GpuNet.Config.Import;

/// <summary>
/// What model.compile() recorded in a Keras 3 file's compile_config — loss, optimizer, metrics — as
/// the config's loss, optimizer and metrics lines.
/// </summary>
internal static class KerasCompileImport
{
    /// <summary>Keras 3's learning rates where compile() names an optimizer by a string alone.</summary>
    private static readonly Dictionary<string, string> DefaultLearningRates = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = "0.01", ["RMSprop"] = "0.001", ["Adam"] = "0.001", ["Adamax"] = "0.001", ["Nadam"] = "0.001",
        ["Adadelta"] = "0.001",
    };

    /// <summary>The settings each optimizer carries over, by Keras's name (GpuNet reads the same names).</summary>
    private static readonly Dictionary<string, string[]> OptimizerSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = ["momentum", "nesterov"],
        ["RMSprop"] = ["rho", "epsilon"],
        ["Adam"] = ["beta_1", "beta_2", "epsilon"],
        ["Adamax"] = ["beta_1", "beta_2", "epsilon"],
        ["Nadam"] = ["beta_1", "beta_2", "epsilon", "schedule_decay"],
        ["Adagrad"] = ["epsilon"],
        ["Adadelta"] = ["rho", "epsilon"],
    };

    /// <summary>Keras's loss classes by the function name a config usually gives.</summary>
    private static readonly Dictionary<string, string> LossFunctions = new(StringComparer.Ordinal)
    {
        ["MeanSquaredError"] = "mean_squared_error",
        ["BinaryCrossentropy"] = "binary_crossentropy",
        ["CategoricalCrossentropy"] = "categorical_crossentropy",
        ["SparseCategoricalCrossentropy"] = "sparse_categorical_crossentropy",
    };

    public static (string Loss, string Optimizer, string Metrics) Translate(string file, JsonObject compile)
    {
        var c = new KerasConfigReader($"{file}: compile_config", compile);
        string loss = Loss(c);
        string optimizer = Optimizer(c);
        string metrics = Metrics(c);
        c.RequireNull("loss_weights", "weighted_metrics");
        // How Keras runs the steps; nothing of the model or its training.
        c.Ignore("run_eagerly", "steps_per_execution", "jit_compile", "auto_scale_loss");
        c.RejectUnread();
        return (loss, optimizer, metrics);
    }

    private static string Loss(KerasConfigReader compile)
    {
        JsonNode node = compile["loss"] ?? throw compile.Error("'loss' is missing; GpuNet trains with one loss");
        string name;
        if (node is JsonValue value && value.TryGetValue(out string? text)) name = text;
        else
        {
            var (className, c) = KerasWeightSettings.Serialized(compile, "loss", node);
            name = LossFunctions.GetValueOrDefault(className, className);
            c.Ignore("name", "reduction");
            c.Require("from_logits", "false (GpuNet's losses read probabilities)", v => v is null || IsFalse(v));
            c.Require("label_smoothing", "0", v => v is null || IsNumber(v, 0));
            c.Require("axis", "-1", v => v is null || IsNumber(v, -1));
            c.RejectUnread();
        }
        IReadOnlyCollection<string> losses = GpuNet.Losses.Loss.Names;
        return losses.Contains(name)
            ? FlowYaml.String(name)
            : throw compile.Error("loss", $"is '{name}'; GpuNet's losses are {string.Join(", ", losses)}");
    }

    private static string Optimizer(KerasConfigReader compile)
    {
        JsonNode node = compile["optimizer"] ?? throw compile.Error("'optimizer' is missing");
        if (node is JsonValue value && value.TryGetValue(out string? alias))
        {
            string name = Canonical(compile, alias);
            if (!DefaultLearningRates.TryGetValue(name, out string? rate))
            {
                throw compile.Error("optimizer",
                    $"is '{alias}', whose Keras 3 accumulators start at 0.1; GpuNet's Adagrad starts them at 0");
            }
            return $"{{{name}: {{learning_rate: {rate}}}}}";
        }
        var (className, c) = KerasWeightSettings.Serialized(compile, "optimizer", node);
        string optimizer = Canonical(compile, className);
        var args = new List<(string, string)>();
        if (c["learning_rate"] is JsonObject)
            throw c.Error("learning_rate", "is a schedule; use a StepDecay or ExponentialDecay callback instead");
        string learningRate = c.Number("learning_rate") ?? c.Number("lr")
            ?? throw c.Error("'learning_rate' is missing");
        args.Add(("learning_rate", learningRate));
        foreach (string key in OptimizerSettings[optimizer])
        {
            JsonNode? setting = c[key];
            if (setting is JsonValue v && v.TryGetValue(out bool flag)) args.Add((key, flag ? "true" : "false"));
            else if (c.Number(key) is { } number) args.Add((key, number));
        }
        if (c.Double("decay") is { } decay && decay != 0)
            args.Add(("decay", decay.ToString("R", CultureInfo.InvariantCulture)));
        c.Require("weight_decay", "null or 0", v => v is null || IsNumber(v, 0));
        c.Require("momentum", "0 for RMSprop", v => v is null || optimizer == "SGD" || IsNumber(v, 0));
        c.Require("initial_accumulator_value", "0 (GpuNet's Adagrad starts its accumulators at 0)",
            v => v is null || IsNumber(v, 0));
        // Keras's name for it, how it compiles it, and the EMA settings that use_ema (refused when true) would read.
        c.Ignore("name", "jit_compile", "is_legacy_optimizer", "ema_momentum", "ema_overwrite_frequency");
        c.RejectUnread();
        return $"{{{optimizer}: {FlowYaml.Mapping(args)}}}";
    }

    private static string Canonical(KerasConfigReader compile, string name) =>
        OptimizerCatalog.Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
        ?? throw compile.Error(
            "optimizer", $"is '{name}'; GpuNet's optimizers are {string.Join(", ", OptimizerCatalog.Names)}");

    private static string Metrics(KerasConfigReader compile)
    {
        JsonNode? node = compile["metrics"];
        IEnumerable<JsonNode?> items = node switch
        {
            null => [],
            JsonArray list => list.SelectMany(item => item is JsonArray inner ? inner.AsEnumerable() : new[] { item }),
            _ => [node],
        };
        foreach (JsonNode? item in items)
        {
            string? name = Text(item) ?? Text(item?["class_name"]);
            if (name is null || !RunConfigReader.AccuracyNames.Contains(name))
            {
                throw compile.Error("metrics", $"holds {Show(item)}; GpuNet reports accuracy alone " +
                                               $"({string.Join(", ", RunConfigReader.AccuracyNames)})");
            }
        }
        return "[accuracy]";
    }
}
