using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>
/// Batch normalization over x [batch, channels, spatial], the plain reference: one channel per
/// work item, its statistics summed in double over batch and spatial in a fixed order. A Dense
/// layer's features are channels with spatial = 1; a convolution's channels have spatial = H·W.
/// The accelerator runs <see cref="Fast.FastBatchNorm"/>.
/// </summary>
internal static class ReferenceBatchNorm
{
    public static void ForwardTraining(in BatchNormTraining a)
    {
        a.Check();
        CpuParallel.For(a.Channels, (long)a.Batch * a.Spatial * 4, a,
            static (in BatchNormTraining a, int first, int last) =>
        {
            for (int c = first; c < last; c++) TrainChannel(a, c);
        });
    }

    public static void ForwardInference(in BatchNormInference a)
    {
        a.Check();
        CpuParallel.For(a.Channels, (long)a.Batch * a.Spatial, a,
            static (in BatchNormInference a, int first, int last) =>
        {
            for (int c = first; c < last; c++) InferChannel(a, c);
        });
    }

    public static void Backward(in BatchNormGradient a)
    {
        a.Check();
        CpuParallel.For(a.Channels, (long)a.Batch * a.Spatial * 4, a,
            static (in BatchNormGradient a, int first, int last) =>
        {
            for (int c = first; c < last; c++) BackwardChannel(a, c);
        });
    }

    internal static void TrainChannel(in BatchNormTraining a, int c)
    {
        var (x, batch, channels, spatial) = (a.X, a.Batch, a.Channels, a.Spatial);
        double count = (double)batch * spatial;
        double sum = 0;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> values = x.AsSpan((n * channels + c) * spatial, spatial);
            for (int s = 0; s < values.Length; s++) sum += values[s];
        }
        double mean = sum / count;
        // Two passes: Σ(x − mean)² loses nothing to cancellation, unlike Σx² − n·mean².
        double squares = 0;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> values = x.AsSpan((n * channels + c) * spatial, spatial);
            for (int s = 0; s < values.Length; s++)
            {
                double d = values[s] - mean;
                squares += d * d;
            }
        }
        double variance = squares / count;
        float inverseStd = (float)(1.0 / Math.Sqrt(variance + a.Epsilon));
        a.Saved[c] = (float)mean;
        a.Saved[channels + c] = inverseStd;
        a.MovingMean[c] = a.MovingMean[c] * a.Momentum + (float)mean * (1f - a.Momentum);
        a.MovingVariance[c] = a.MovingVariance[c] * a.Momentum + (float)variance * (1f - a.Momentum);
        Normalize(x, batch, channels, spatial, c, (float)mean, inverseStd, a.Gamma?[c] ?? 1f, a.Beta?[c] ?? 0f, a.Y);
    }

    internal static void InferChannel(in BatchNormInference a, int c)
    {
        float inverseStd = 1f / MathF.Sqrt(a.MovingVariance[c] + a.Epsilon);
        Normalize(a.X, a.Batch, a.Channels, a.Spatial, c, a.MovingMean[c], inverseStd, a.Gamma?[c] ?? 1f,
            a.Beta?[c] ?? 0f, a.Y);
    }

    internal static void BackwardChannel(in BatchNormGradient a, int c)
    {
        var (x, dy, dx, batch, channels, spatial) = (a.X, a.Dy, a.Dx, a.Batch, a.Channels, a.Spatial);
        double count = (double)batch * spatial;
        float mean = a.Saved[c], inverseStd = a.Saved[channels + c];
        double sumDy = 0, sumDyXhat = 0;
        for (int n = 0; n < batch; n++)
        {
            int offset = (n * channels + c) * spatial;
            for (int s = 0; s < spatial; s++)
            {
                float g = dy[offset + s];
                sumDy += g;
                sumDyXhat += g * (x[offset + s] - mean) * inverseStd;
            }
        }
        if (a.DBeta is not null) a.DBeta[c] += (float)sumDy;
        if (a.DGamma is not null) a.DGamma[c] += (float)sumDyXhat;
        if (dx is null) return;
        // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)): the normalization's Jacobian through mean and
        // variance.
        float scale = (a.Gamma?[c] ?? 1f) * inverseStd;
        float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count);
        for (int n = 0; n < batch; n++)
        {
            int offset = (n * channels + c) * spatial;
            for (int s = 0; s < spatial; s++)
            {
                float xhat = (x[offset + s] - mean) * inverseStd;
                // Set, the zero is still added, so that −0 comes out +0 as over a zeroed dx.
                dx[offset + s] = (a.SetDx ? 0f : dx[offset + s]) + scale * (dy[offset + s] - meanDy - xhat *
                    meanDyXhat);
            }
        }
    }

    private static void Normalize(float[] x, int batch, int channels, int spatial, int c, float mean, float inverseStd,
        float gamma, float beta, float[] y)
    {
        float scale = gamma * inverseStd, shift = beta - mean * scale;
        for (int n = 0; n < batch; n++)
        {
            int offset = (n * channels + c) * spatial;
            for (int s = 0; s < spatial; s++) y[offset + s] = x[offset + s] * scale + shift;
        }
    }
}
