
namespace GpuNet.Accelerators.Cpu.Contracts;

/// <summary>
/// The buffers and sizes of one batch-normalization call over x [Batch, Channels, Spatial], as
/// <see cref="IAccelerator.BatchNormForwardTraining"/> takes them; shared by the reference
/// <see cref="ReferenceBatchNorm"/> and <see cref="FastBatchNorm"/>, which runs the reference's
/// per-channel code for the channels its vectors do not cover.
/// </summary>
internal readonly record struct BatchNormTraining(float[] X, float[]? Gamma, float[]? Beta, int Batch, int Channels,
    int Spatial,
    float Momentum, float Epsilon, float[] Y, float[] Saved, float[] MovingMean, float[] MovingVariance)
{
    public void Check()
    {
        long length = (long)Batch * Channels * Spatial;
        BufferChecks.CheckLength(X, length, "x");
        BufferChecks.CheckLength(Y, length, "y");
        BufferChecks.CheckLength(Saved, 2L * Channels, "saved");
        BufferChecks.CheckLength(MovingMean, Channels, "movingMean");
        BufferChecks.CheckLength(MovingVariance, Channels, "movingVariance");
    }
}

/// <summary>The arguments of <see cref="IAccelerator.BatchNormForwardInference"/>.</summary>
internal readonly record struct BatchNormInference(float[] X, float[]? Gamma, float[]? Beta, float[] MovingMean,
    float[] MovingVariance,
    int Batch, int Channels, int Spatial, float Epsilon, float[] Y)
{
    public void Check()
    {
        long length = (long)Batch * Channels * Spatial;
        BufferChecks.CheckLength(X, length, "x");
        BufferChecks.CheckLength(Y, length, "y");
        BufferChecks.CheckLength(MovingMean, Channels, "movingMean");
        BufferChecks.CheckLength(MovingVariance, Channels, "movingVariance");
    }
}

/// <summary>The arguments of <see cref="IAccelerator.BatchNormBackward"/>; <see cref="SetDx"/> writes dx as 0 + the
/// gradient instead of adding to what it holds.</summary>
internal readonly record struct BatchNormGradient(float[] X, float[]? Gamma, float[] Saved, float[] Dy, int Batch,
    int Channels, int Spatial,
    float[]? Dx, float[]? DGamma, float[]? DBeta, bool SetDx = false)
{
    public void Check()
    {
        long length = (long)Batch * Channels * Spatial;
        BufferChecks.CheckLength(X, length, "x");
        BufferChecks.CheckLength(Dy, length, "dy");
        BufferChecks.CheckLength(Saved, 2L * Channels, "saved");
        if (Dx is not null) BufferChecks.CheckLength(Dx, length, "dx");
    }
}
