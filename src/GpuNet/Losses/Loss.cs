using GpuNet.Accelerators;

namespace GpuNet.Losses;

/// <summary>A training loss by its Keras name. The per-sample loss is averaged over the batch.</summary>
public sealed class Loss
{
    private static readonly Dictionary<string, LossKind> ByName = new(StringComparer.Ordinal)
    {
        ["mean_squared_error"] = LossKind.MeanSquaredError,
        ["mse"] = LossKind.MeanSquaredError,
        ["binary_crossentropy"] = LossKind.BinaryCrossEntropy,
        ["categorical_crossentropy"] = LossKind.CategoricalCrossEntropy,
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

    public static Loss CategoricalCrossEntropy { get; } = new("categorical_crossentropy", LossKind.CategoricalCrossEntropy);

    public static Loss FromName(string name) => ByName.TryGetValue(name, out LossKind kind)
        ? new Loss(name, kind)
        : throw new GpuNetException($"unknown loss '{name}'; valid losses are {string.Join(", ", Names)}");

    public override string ToString() => Name;
}
