namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// Batch normalization over x [batch, channels, spatial]: one channel per work item, its
/// statistics summed in double over batch and spatial in a fixed order. A Dense layer's
/// features are channels with spatial = 1; a convolution's channels have spatial = H·W.
/// </summary>
internal static class CpuBatchNorm
{
    public static void ForwardTraining(float[] x, float[]? gamma, float[]? beta, int batch, int channels, int spatial,
        float momentum, float epsilon, float[] y, float[] saved, float[] movingMean, float[] movingVariance)
    {
        long length = (long)batch * channels * spatial;
        CpuConvolution.CheckLength(x, length, nameof(x));
        CpuConvolution.CheckLength(y, length, nameof(y));
        CpuConvolution.CheckLength(saved, 2L * channels, nameof(saved));
        CpuParallel.For(channels, (long)batch * spatial * 4, (x, gamma, beta, batch, channels, spatial, momentum, epsilon, y, saved, movingMean, movingVariance),
            static (in (float[] X, float[]? Gamma, float[]? Beta, int Batch, int Channels, int Spatial, float Momentum, float Epsilon,
                float[] Y, float[] Saved, float[] MovingMean, float[] MovingVariance) state, int first, int last) =>
        {
            var (x, gamma, beta, batch, channels, spatial, momentum, epsilon, y, saved, movingMean, movingVariance) = state;
            double count = (double)batch * spatial;
            for (int c = first; c < last; c++)
            {
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
                float inverseStd = (float)(1.0 / Math.Sqrt(variance + epsilon));
                saved[c] = (float)mean;
                saved[channels + c] = inverseStd;
                movingMean[c] = movingMean[c] * momentum + (float)mean * (1f - momentum);
                movingVariance[c] = movingVariance[c] * momentum + (float)variance * (1f - momentum);
                Normalize(x, batch, channels, spatial, c, (float)mean, inverseStd, gamma?[c] ?? 1f, beta?[c] ?? 0f, y);
            }
        });
    }

    public static void ForwardInference(float[] x, float[]? gamma, float[]? beta, float[] movingMean, float[] movingVariance,
        int batch, int channels, int spatial, float epsilon, float[] y)
    {
        long length = (long)batch * channels * spatial;
        CpuConvolution.CheckLength(x, length, nameof(x));
        CpuConvolution.CheckLength(y, length, nameof(y));
        CpuParallel.For(channels, (long)batch * spatial, (x, gamma, beta, movingMean, movingVariance, batch, channels, spatial, epsilon, y),
            static (in (float[] X, float[]? Gamma, float[]? Beta, float[] MovingMean, float[] MovingVariance, int Batch, int Channels, int Spatial, float Epsilon, float[] Y) state,
                int first, int last) =>
        {
            var (x, gamma, beta, movingMean, movingVariance, batch, channels, spatial, epsilon, y) = state;
            for (int c = first; c < last; c++)
            {
                float inverseStd = 1f / MathF.Sqrt(movingVariance[c] + epsilon);
                Normalize(x, batch, channels, spatial, c, movingMean[c], inverseStd, gamma?[c] ?? 1f, beta?[c] ?? 0f, y);
            }
        });
    }

    public static void Backward(float[] x, float[]? gamma, float[] saved, float[] dy, int batch, int channels, int spatial,
        float[]? dx, float[]? dGamma, float[]? dBeta)
    {
        long length = (long)batch * channels * spatial;
        CpuConvolution.CheckLength(x, length, nameof(x));
        CpuConvolution.CheckLength(dy, length, nameof(dy));
        CpuConvolution.CheckLength(saved, 2L * channels, nameof(saved));
        CpuParallel.For(channels, (long)batch * spatial * 4, (x, gamma, saved, dy, batch, channels, spatial, dx, dGamma, dBeta),
            static (in (float[] X, float[]? Gamma, float[] Saved, float[] Dy, int Batch, int Channels, int Spatial, float[]? Dx, float[]? DGamma, float[]? DBeta) state,
                int first, int last) =>
        {
            var (x, gamma, saved, dy, batch, channels, spatial, dx, dGamma, dBeta) = state;
            double count = (double)batch * spatial;
            for (int c = first; c < last; c++)
            {
                float mean = saved[c], inverseStd = saved[channels + c];
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
                if (dBeta is not null) dBeta[c] += (float)sumDy;
                if (dGamma is not null) dGamma[c] += (float)sumDyXhat;
                if (dx is null) continue;
                // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)): the normalization's Jacobian through mean and variance.
                float scale = (gamma?[c] ?? 1f) * inverseStd;
                float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count);
                for (int n = 0; n < batch; n++)
                {
                    int offset = (n * channels + c) * spatial;
                    for (int s = 0; s < spatial; s++)
                    {
                        float xhat = (x[offset + s] - mean) * inverseStd;
                        dx[offset + s] += scale * (dy[offset + s] - meanDy - xhat * meanDyXhat);
                    }
                }
            }
        });
    }

    private static void Normalize(float[] x, int batch, int channels, int spatial, int c, float mean, float inverseStd, float gamma, float beta, float[] y)
    {
        float scale = gamma * inverseStd, shift = beta - mean * scale;
        for (int n = 0; n < batch; n++)
        {
            int offset = (n * channels + c) * spatial;
            for (int s = 0; s < spatial; s++) y[offset + s] = x[offset + s] * scale + shift;
        }
    }
}
