namespace GpuNet.Ops;

/// <summary>Keras's two padding modes for convolutions and pools.</summary>
public enum Padding
{
    /// <summary>No padding: only windows that fit inside the image, out = ⌊(in − k) / stride⌋ + 1.</summary>
    Valid,

    /// <summary>
    /// out = ⌈in / stride⌉, padded with pad_total = max((out − 1)·stride + k − in, 0), of which
    /// ⌊pad_total / 2⌋ goes before the image and the rest after (TensorFlow's arithmetic).
    /// </summary>
    Same,
}

/// <summary>Keras's spelling of <see cref="Padding"/>: 'valid' and 'same'.</summary>
public static class PaddingNames
{
    public static IReadOnlyList<string> Names { get; } = ["valid", "same"];

    public static Padding Parse(string name, string layer) => name.ToLowerInvariant() switch
    {
        "valid" => Padding.Valid,
        "same" => Padding.Same,
        _ => throw new GpuNetException($"{layer}: 'padding' must be 'valid' or 'same', got '{name}'"),
    };

    public static string ToName(this Padding padding) => padding == Padding.Same ? "same" : "valid";
}
