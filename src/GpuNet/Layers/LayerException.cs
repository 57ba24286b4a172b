namespace GpuNet.Layers;

/// <summary>A layer that cannot be built where it stands, with its position in the model.</summary>
public sealed class LayerException(int layerIndex, string layerType, string reason)
    : GpuNetException($"model.layers[{layerIndex}] ({layerType}): {reason}")
{
    /// <summary>Zero-based position in the layer list, as in the config file.</summary>
    public int LayerIndex { get; } = layerIndex;

    public string LayerType { get; } = layerType;

    public string Reason { get; } = reason;
}
