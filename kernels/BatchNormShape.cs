namespace GpuNet.Kernels;

/// <summary>The sizes of a batch normalization, x [Batch, Channels, Spatial], and which of gamma and beta are there (1)
/// or left out (0).</summary>
public readonly struct BatchNormShape(int batch, int channels, int spatial, int hasGamma, int hasBeta)
{
    public int Batch { get; } = batch;

    public int Channels { get; } = channels;

    public int Spatial { get; } = spatial;

    public int HasGamma { get; } = hasGamma;

    public int HasBeta { get; } = hasBeta;

    /// <summary>The offset of element <paramref name="e"/> (= n·Spatial + s) of channel
    /// <paramref name="c"/>.</summary>
    public long Index(int c, long e) => (e / Spatial * Channels + c) * Spatial + e % Spatial;
}
