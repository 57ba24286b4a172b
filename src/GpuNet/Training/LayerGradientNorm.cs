namespace GpuNet.Training;

/// <summary>The size of one layer's weight gradient over an epoch.</summary>
public sealed record LayerGradientNorm(string Layer, float Norm);
