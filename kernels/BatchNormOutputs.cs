namespace GpuNet.Kernels;

/// <summary>Which gradients a batch normalization's backward writes (1) or skips (0).</summary>
public readonly struct BatchNormOutputs(int hasDx, int hasDGamma, int hasDBeta)
{
    public int HasDx { get; } = hasDx;

    public int HasDGamma { get; } = hasDGamma;

    public int HasDBeta { get; } = hasDBeta;
}
