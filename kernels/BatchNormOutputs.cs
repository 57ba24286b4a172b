namespace GpuNet.Kernels;

/// <summary>Which gradients a batch normalization's backward writes (1) or skips (0), and whether it sets dx (1) or
/// adds to it (0).</summary>
public readonly struct BatchNormOutputs(int hasDx, int hasDGamma, int hasDBeta, int setsDx)
{
    public int HasDx { get; } = hasDx;

    public int SetsDx { get; } = setsDx;

    public int HasDGamma { get; } = hasDGamma;

    public int HasDBeta { get; } = hasDBeta;
}
