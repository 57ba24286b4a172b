namespace GpuNet.Config;

/// <summary>
/// The order of Keras's arguments for each thing a config may name, so that Keras's positional
/// forms read as they do in Python: <c>Dense: 512</c> is Dense(512), units = 512;
/// <c>Conv2D: [32, [3, 3], {activation: relu}]</c> is Conv2D(32, (3, 3), activation='relu').
/// The orders are Keras 2's signatures (the lecture notes' Keras), every argument up to the last one
/// that may be given by position; an argument GpuNet lacks is then refused by its Keras name.
/// </summary>
public static class KerasSignatures
{
    private static readonly string[] Pooling = ["pool_size", "strides", "padding", "data_format"];

    public static IReadOnlyDictionary<string, string[]> Layers { get; } =
        new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Dense"] =
        [
            "units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
            "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
        ],
        ["Conv2D"] =
        [
            "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation",
            "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
            "activity_regularizer", "kernel_constraint", "bias_constraint",
        ],
        ["MaxPooling2D"] = Pooling,
        ["AveragePooling2D"] = Pooling,
        ["L2Pooling2D"] = Pooling,
        ["Dropout"] = ["rate", "noise_shape", "seed"],
        ["Activation"] = ["activation"],
        ["Reshape"] = ["target_shape"],
        ["Flatten"] = ["data_format"],
        ["LeakyReLU"] = ["alpha"],
        ["BatchNormalization"] =
        [
            "axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
            "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
            "beta_constraint", "gamma_constraint",
        ],
        ["PReLU"] = ["alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"],
    };

    /// <summary>
    /// keras.Input(shape, batch_size, name, dtype, …) and
    /// keras.layers.InputLayer(input_shape, batch_size, dtype, …).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> InputLayers { get; } =
        new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Input"] = ["shape", "batch_size", "name", "dtype", "sparse", "tensor", "ragged"],
        ["InputLayer"] = ["input_shape", "batch_size", "dtype", "input_tensor", "sparse", "name", "ragged"],
    };

    // Optimizer names compare without case, as keras.optimizers.get('adam') finds Adam.
    public static IReadOnlyDictionary<string, string[]> Optimizers { get; } =
        new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = ["learning_rate", "momentum", "nesterov"],
        ["Adagrad"] = ["learning_rate", "initial_accumulator_value", "epsilon"],
        ["Adadelta"] = ["learning_rate", "rho", "epsilon"],
        ["RMSprop"] = ["learning_rate", "rho", "momentum", "epsilon", "centered"],
        ["Adam"] = ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"],
        ["Adamax"] = ["learning_rate", "beta_1", "beta_2", "epsilon"],
        ["Nadam"] = ["learning_rate", "beta_1", "beta_2", "epsilon"],
    };

    public static IReadOnlyDictionary<string, string[]> Callbacks { get; } =
        new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["EarlyStopping"] = ["monitor", "min_delta", "patience", "verbose", "mode", "baseline", "restore_best_weights"],
    };
}
