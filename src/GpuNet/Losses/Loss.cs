using GpuNet.Accelerators;

namespace GpuNet.Losses;

/// <summary>
/// A training loss by its Keras name, or any alias Keras 2's losses.get accepts (mse, MSE, the class
/// names). The per-sample loss is averaged over the batch.
/// </summary>
/// <remarks>
/// sparse_categorical_crossentropy takes each sample's class index where categorical_crossentropy
/// takes its one-hot row; GpuNet's datasets hold class indices and one-hot encode them for the
/// loss, so both are the same computation and differ only in the name the run reports.
/// </remarks>
public sealed class Loss
{
    private static readonly Dictionary<string, LossKind> ByName = new(StringComparer.Ordinal)
    {
        ["mean_squared_error"] = LossKind.MeanSquaredError,
        ["mse"] = LossKind.MeanSquaredError,
        ["MSE"] = LossKind.MeanSquaredError,
        ["MeanSquaredError"] = LossKind.MeanSquaredError,
        ["binary_crossentropy"] = LossKind.BinaryCrossEntropy,
        ["BinaryCrossentropy"] = LossKind.BinaryCrossEntropy,
        ["categorical_crossentropy"] = LossKind.CategoricalCrossEntropy,
        ["CategoricalCrossentropy"] = LossKind.CategoricalCrossEntropy,
        ["sparse_categorical_crossentropy"] = LossKind.CategoricalCrossEntropy,
        ["SparseCategoricalCrossentropy"] = LossKind.CategoricalCrossEntropy,
    };

    private Loss(string name, LossKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public LossKind Kind { get; }

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static Loss MeanSquaredError { get; } = new("mean_squared_error", LossKind.MeanSquaredError);

    public static Loss BinaryCrossEntropy { get; } = new("binary_crossentropy", LossKind.BinaryCrossEntropy);

    public static Loss CategoricalCrossEntropy { get; } = new("categorical_crossentropy",
        LossKind.CategoricalCrossEntropy);

    public static Loss FromName(string name) => ByName.TryGetValue(name, out LossKind kind)
        ? new Loss(name, kind)
        : throw new GpuNetException($"unknown loss '{name}'; valid losses are {string.Join(", ", Names)}");

    public override string ToString() => Name;
}
