using GpuNet.Parameters;
using System.Globalization;
using System.Text.Json.Nodes;
using GpuNet.Layers;
using static GpuNet.Config.Import.KerasConfigReader;

namespace GpuNet.Config.Import;

/// <summary>
/// Keras layers as GpuNet config entries with the same arguments: each key of the layer's Keras
/// config is carried over, accepted at the default GpuNet shares, or refused by name. Arguments at
/// their Keras default are left out, as a person writing the config would.
/// </summary>
internal static class KerasLayerImport
{
    private delegate string Translation(KerasConfigReader c, ref int rank);

    private static readonly Dictionary<string, Translation> Layers = new(StringComparer.Ordinal)
    {
        ["Dense"] = Dense,
        ["Conv2D"] = Conv2D,
        ["MaxPooling2D"] = (KerasConfigReader c, ref int rank) => Pooling("MaxPooling2D", c, ref rank),
        ["AveragePooling2D"] = (KerasConfigReader c, ref int rank) => Pooling("AveragePooling2D", c, ref rank),
        ["Flatten"] = Flatten,
        ["Dropout"] = Dropout,
        ["Activation"] = Activation,
        ["Reshape"] = Reshape,
        ["BatchNormalization"] = BatchNormalization,
        ["LeakyReLU"] = LeakyRelu,
        ["PReLU"] = PRelu,
        ["ReLU"] = Relu,
        ["Softmax"] = Softmax,
    };

    public static IReadOnlyCollection<string> Names => [.. Layers.Keys, "InputLayer"];

    public static bool IsSupported(string className) => Layers.ContainsKey(className);

    /// <summary>
    /// The config entry for one Keras layer; <paramref name="rank"/> is the rank, batch included, of
    /// what flows into it, and then of what flows out.
    /// </summary>
    public static string Translate(string className, KerasConfigReader c, ref int rank)
    {
        c.Ignore("name");
        CheckTrainableFloat32(c);
        string entry = Layers[className](c, ref rank);
        c.RejectUnread();
        return entry;
    }

    /// <summary>Keras's defaults every layer shares: trainable, float32.</summary>
    public static void CheckTrainableFloat32(KerasConfigReader c)
    {
        c.Require("trainable", "true (frozen layers are not imported)",
            v => v is JsonValue t && t.TryGetValue(out bool b) && b);
        c.Require("dtype", "float32", IsFloat32);
    }

    // float32 as Keras 2 writes it, or Keras 3's policy {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
    private static bool IsFloat32(JsonNode? node) =>
        node is null || IsString(node, "float32") || IsString(node["config"]?["name"], "float32");

    private static string Dense(KerasConfigReader c, ref int rank)
    {
        var args = new List<(string, string)> { ("units", c.Int("units").ToString(CultureInfo.InvariantCulture)) };
        AddActivation(c, args);
        AddKernelArguments(c, args);
        return FlowYaml.Entry("Dense", args);
    }

    private static string Conv2D(KerasConfigReader c, ref int rank)
    {
        var args = new List<(string, string)>
        {
            ("filters", c.Int("filters").ToString(CultureInfo.InvariantCulture)),
            ("kernel_size", FlowYaml.List(c.Ints("kernel_size", pairOf: 2))),
        };
        AddWindowArguments(c, args, defaultStrides: [1, 1]);
        c.Require("dilation_rate", "1 (no dilation)",
            v => v is null || IsNumber(v, 1) || v is JsonArray { Count: 2 } d && d.All(x => IsNumber(x, 1)));
        c.Require("groups", "1", v => v is null || IsNumber(v, 1));
        AddActivation(c, args);
        AddKernelArguments(c, args);
        rank = 4;
        return FlowYaml.Entry("Conv2D", args);
    }

    private static string Pooling(string name, KerasConfigReader c, ref int rank)
    {
        int[] poolSize = c.Ints("pool_size", pairOf: 2);
        var args = new List<(string, string)> { ("pool_size", FlowYaml.List(poolSize)) };
        // strides null means the pool size, in Keras as in GpuNet.
        AddWindowArguments(c, args, defaultStrides: poolSize);
        rank = 4;
        return FlowYaml.Entry(name, args);
    }

    /// <summary>
    /// strides (left out at <paramref name="defaultStrides"/>), padding valid or same, data_format channels_last.
    /// </summary>
    private static void AddWindowArguments(KerasConfigReader c, List<(string, string)> args, int[] defaultStrides)
    {
        int[] strides = c["strides"] is null ? defaultStrides : c.Ints("strides", pairOf: 2);
        if (!strides.SequenceEqual(defaultStrides)) args.Add(("strides", FlowYaml.List(strides)));
        c.Require("padding", "'valid' or 'same'", v => v is null || IsString(v, "valid", "same"));
        if (IsString(c["padding"], "same")) args.Add(("padding", "same"));
        RequireChannelsLast(c);
    }

    private static void RequireChannelsLast(KerasConfigReader c) =>
        c.Require("data_format", "'channels_last' (images as height, width, channels)",
            v => v is null || IsString(v, "channels_last"));

    private static string Flatten(KerasConfigReader c, ref int rank)
    {
        RequireChannelsLast(c);
        rank = 2;
        return "Flatten";
    }

    private static string Dropout(KerasConfigReader c, ref int rank)
    {
        string rate = c.Number("rate") ?? throw c.Error("'rate' is missing");
        c.RequireNull("noise_shape");
        // A seed for Keras's own dropout masks: GpuNet draws its masks from the run's seed.
        c.Ignore("seed");
        return FlowYaml.Entry("Dropout", [("rate", rate)]);
    }

    private static string Activation(KerasConfigReader c, ref int rank) =>
        FlowYaml.Entry("Activation", [("activation", ActivationName(c) ?? throw c.Error("'activation' is missing"))]);

    private static string Reshape(KerasConfigReader c, ref int rank)
    {
        int[] target = c.Ints("target_shape");
        rank = target.Length + 1;
        return FlowYaml.Entry("Reshape", [("target_shape", FlowYaml.List(target))]);
    }

    private static string BatchNormalization(KerasConfigReader c, ref int rank)
    {
        int lastAxis = rank - 1;
        c.Require("axis", $"-1 (the last axis{(rank > 0 ? $", {lastAxis} here" : "")})",
            v => IsLastAxis(v, lastAxis) || v is JsonArray { Count: 1 } axes && IsLastAxis(axes[0], lastAxis));
        var args = new List<(string, string)>();
        AddNumber(c, args, "momentum", 0.99);
        AddNumber(c, args, "epsilon", 1e-3);
        if (!c.Bool("center", true)) args.Add(("center", "false"));
        if (!c.Bool("scale", true)) args.Add(("scale", "false"));
        AddInitializer(c, args, "beta_initializer", "zeros");
        AddInitializer(c, args, "gamma_initializer", "ones");
        AddInitializer(c, args, "moving_mean_initializer", "zeros");
        AddInitializer(c, args, "moving_variance_initializer", "ones");
        c.RequireNull("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "renorm_clipping",
            "virtual_batch_size", "adjustment");
        // Keras's choice of kernel and renorm's momentum (unused without renorm) change nothing computed here.
        c.Ignore("fused", "renorm_momentum");
        return FlowYaml.Entry("BatchNormalization", args);
    }

    private static string LeakyRelu(KerasConfigReader c, ref int rank)
    {
        // Keras 2 calls the slope alpha, Keras 3 negative_slope; both default to 0.3 for this layer.
        string key = c.Has("negative_slope") ? "negative_slope" : "alpha";
        string? slope = c.Number(key);
        bool byDefault = slope is null || ParseNumber(slope) == 0.3;
        return FlowYaml.Entry("LeakyReLU", byDefault ? [] : [("alpha", slope!)]);
    }

    private static string PRelu(KerasConfigReader c, ref int rank)
    {
        var args = new List<(string, string)>();
        AddInitializer(c, args, "alpha_initializer", "zeros");
        c.RequireNull("alpha_regularizer", "alpha_constraint", "shared_axes");
        return FlowYaml.Entry("PReLU", args);
    }

    private static string Relu(KerasConfigReader c, ref int rank)
    {
        c.RequireNull("max_value");
        c.Require("negative_slope", "0", v => v is null || IsNumber(v, 0));
        c.Require("threshold", "0", v => v is null || IsNumber(v, 0));
        return FlowYaml.Entry("Activation", [("activation", "relu")]);
    }

    private static string Softmax(KerasConfigReader c, ref int rank)
    {
        c.Require("axis", "-1", v => v is null || IsNumber(v, -1));
        return FlowYaml.Entry("Activation", [("activation", "softmax")]);
    }

    private static void AddActivation(KerasConfigReader c, List<(string, string)> args)
    {
        if (ActivationName(c) is { } name && name != "linear") args.Add(("activation", name));
    }

    private static string? ActivationName(KerasConfigReader c)
    {
        JsonNode? node = c["activation"];
        if (node is null) return null;
        if (Text(node) is { } name && ActivationFunction.Names.Contains(name)) return name;
        throw c.Error(
            "activation", $"is {Show(node)}; GpuNet's activations are {string.Join(", ", ActivationFunction.Names)}");
    }

    /// <summary>use_bias, the initializers, the kernel regularizer; the options GpuNet lacks must be off.</summary>
    private static void AddKernelArguments(KerasConfigReader c, List<(string, string)> args)
    {
        if (!c.Bool("use_bias", true)) args.Add(("use_bias", "false"));
        AddInitializer(c, args, "kernel_initializer", "glorot_uniform");
        AddInitializer(c, args, "bias_initializer", "zeros");
        if (KerasWeightSettings.Regularizer(c, "kernel_regularizer") is { } regularizer)
            args.Add(("kernel_regularizer", regularizer));
        c.RequireNull("bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint");
    }

    private static void AddInitializer(KerasConfigReader c, List<(string, string)> args, string key, string fallback)
    {
        string? initializer = KerasWeightSettings.Initializer(c, key);
        if (initializer is not null && initializer != fallback) args.Add((key, initializer));
    }

    private static void AddNumber(KerasConfigReader c, List<(string, string)> args, string key, double fallback)
    {
        if (c.Number(key) is { } text && ParseNumber(text) != fallback) args.Add((key, text));
    }

    private static bool IsLastAxis(JsonNode? axis, int lastAxis) =>
        axis is null || IsNumber(axis, -1) || IsNumber(axis, lastAxis);
}
