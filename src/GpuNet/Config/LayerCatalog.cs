using GpuNet.Layers;
using GpuNet.Parameters;

namespace GpuNet.Config;

/// <summary>Every layer a config may name, with how its Keras arguments are read.</summary>
public static class LayerCatalog
{
    private static readonly NamedEntryCatalog<Layer> Catalog = new("layer",
        new Dictionary<string, Func<ConfigArguments, Layer>>(StringComparer.Ordinal)
    {
        ["Dense"] = ReadDense,
        ["Activation"] = a => new ActivationLayer(ActivationName(a, "activation", required: true)!),
        ["Flatten"] = _ => new FlattenLayer(),
        ["Reshape"] = a => new ReshapeLayer(TargetShape(a)),
        ["LeakyReLU"] = a => new LeakyReluLayer(NonNegative(a, "alpha", 0.3f)),

        // Convolutional networks.
        ["Conv2D"] = a => new Conv2DLayer(
            a.PositiveInt("filters"),
            ImageLayerArguments.RequiredPair(a, "kernel_size"),
            ImageLayerArguments.Pair(a, "strides", (1, 1)),
            ImageLayerArguments.Padding(a),
            ActivationName(a, "activation"),
            a.Bool("use_bias", true),
            InitializerCatalog.Read(a, "kernel_initializer"),
            InitializerCatalog.Read(a, "bias_initializer"),
            RegularizerCatalog.Read(a, "kernel_regularizer")),
        ["MaxPooling2D"] = a =>
            new MaxPooling2DLayer(PoolSize(a), ImageLayerArguments.Pair(a, "strides"), ImageLayerArguments.Padding(a)),
        ["AveragePooling2D"] = a =>
            new AveragePooling2DLayer(PoolSize(a), ImageLayerArguments.Pair(a, "strides"),
                ImageLayerArguments.Padding(a)),
        ["L2Pooling2D"] = a =>
            new L2Pooling2DLayer(PoolSize(a), ImageLayerArguments.Pair(a, "strides"), ImageLayerArguments.Padding(a)),
        ["Dropout"] = a => new DropoutLayer(ImageLayerArguments.Rate(a)),
        ["BatchNormalization"] = a =>
        {
            ImageLayerArguments.CheckLastAxis(a);
            return new BatchNormalizationLayer(
                ImageLayerArguments.Momentum(a),
                ImageLayerArguments.Epsilon(a),
                a.Bool("center", true),
                a.Bool("scale", true),
                InitializerCatalog.Read(a, "beta_initializer"),
                InitializerCatalog.Read(a, "gamma_initializer"),
                InitializerCatalog.Read(a, "moving_mean_initializer"),
                InitializerCatalog.Read(a, "moving_variance_initializer"));
        },
        ["PReLU"] = a => new PReluLayer(InitializerCatalog.Read(a, "alpha_initializer")),
    }, KerasSignatures.Layers);

    public static IReadOnlyCollection<string> Names => Catalog.Names;

    /// <summary>
    /// Reads one entry of model.layers: "Flatten", "Dense: {units: 30}", "Dense: 30" or
    /// "Dense: [30, {activation: relu}]".
    /// </summary>
    public static Layer Read(ConfigNode entry) => Catalog.Read(entry);

    /// <summary>One entry of model.layers with its arguments by Keras name, positional ones included.</summary>
    public static KerasEntry Parse(ConfigNode entry) => Catalog.Parse(entry);

    public static Layer Read(KerasEntry entry) => Catalog.Read(entry);

    private static DenseLayer ReadDense(ConfigArguments a)
    {
        int units = a.PositiveInt("units");
        string? activation = ActivationName(a, "activation");
        bool useBias = a.Bool("use_bias", true);
        Initializer? kernel = InitializerCatalog.Read(a, "kernel_initializer"),
            bias = InitializerCatalog.Read(a, "bias_initializer");
        Regularizer? regularizer = RegularizerCatalog.Read(a, "kernel_regularizer");
        // Keras's weights=[kernel, bias]: the kernel as rows of the input, the bias as one list.
        if (a.Get("weights") is { } weights)
        {
            IReadOnlyList<ConfigNode> arrays = weights.Items();
            if (arrays.Count is < 1 or > 2)
                throw weights.Error($"expected [kernel] or [kernel, bias], got {arrays.Count} arrays");
            float[][] rows = arrays[0].Items().Select(row => row.Items().Select(v => v.AsFloat()).ToArray()).ToArray();
            if (rows.Length == 0 || rows.Any(r => r.Length != units))
                throw arrays[0].Error($"expected the kernel as rows of {units} numbers (one row per input), like " +
                    $"[[2.0]] for one input and one unit");
            kernel = new ExplicitInitializer(rows.SelectMany(r => r).ToArray(), [rows.Length, units]);
            if (arrays.Count == 2)
            {
                float[] values = arrays[1].Items().Select(v => v.AsFloat()).ToArray();
                if (values.Length != units)
                    throw arrays[1].Error($"expected the bias as {units} numbers, got {values.Length}");
                bias = new ExplicitInitializer(values, [units]);
            }
        }
        return new DenseLayer(units, activation, useBias, kernel, bias, regularizer);
    }

    private static string? ActivationName(ConfigArguments a, string key, bool required = false)
    {
        ConfigNode? node = required ? a.Required(key) : a.Get(key);
        // Keras's activation=None is the linear activation.
        if (node is null || node.IsNull) return null;
        string name = node.AsString();
        if (!ActivationFunction.Names.Contains(name))
            throw node.Error($"unknown activation '{name}'; valid activations are {string.Join(", ",
                ActivationFunction.Names)}");
        return name;
    }

    private static float NonNegative(ConfigArguments a, string key, float fallback)
    {
        ConfigNode? node = a.Get(key);
        if (node is null) return fallback;
        float value = node.AsFloat();
        return value >= 0f ? value : throw node.Error($"expected a number ≥ 0, got {value}");
    }

    private static int[] TargetShape(ConfigArguments a)
    {
        ConfigNode node = a.Required("target_shape");
        int[] shape = node.AsIntList();
        if (shape.Length == 0 || shape.Any(d => d == 0 || d < -1) || shape.Count(d => d == -1) > 1)
            throw node.Error("expected positive sizes with at most one -1, like [28, 28, 1]");
        return shape;
    }

    // Keras's pooling layers default to a 2×2 window.
    private static (int, int) PoolSize(ConfigArguments a) => ImageLayerArguments.Pair(a, "pool_size", (2, 2))!.Value;
}
