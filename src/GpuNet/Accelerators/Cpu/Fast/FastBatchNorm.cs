using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// Batch normalization as the CPU accelerator runs it, on 256-bit vectors (AVX2 and AVX-512
/// machines alike; elsewhere the reference <see cref="ReferenceBatchNorm"/>).
/// </summary>
/// <remarks>
/// After a Dense layer (spatial = 1) x is [rows, features] and the statistics of a feature run
/// down a column: eight features go side by side in a vector, each lane summing its column in
/// double in the reference's order, so every output agrees with the reference bit for bit; the
/// last features that fill no vector run the reference's per-channel code. The elementwise
/// pass that follows (y, or dx) then goes row by row in memory order, with the eight features'
/// coefficients kept aside: a pass down the columns would touch one 32-byte piece of each of the
/// batch's rows at a time, and took twice as long at [100, 256]. After a convolution (spatial =
/// H·W) a channel's values are contiguous runs of H·W: each channel is summed along its runs in
/// eight double lanes and a scalar for the tail, a fixed order that depends on the sizes alone
/// (so a run repeats exactly), within a double's rounding of the reference's sequential sums;
/// the normalization and the input gradient are elementwise and exact. Work splits by feature
/// blocks, rows or channels, so no sum depends on the thread count.
/// </remarks>
internal static unsafe class FastBatchNorm
{
    private const int Lanes = 8;

    /// <summary>Whether the vector paths run here (tests compare them with the reference only then).</summary>
    public static bool IsVectorised => Vector256.IsHardwareAccelerated;

    public static void ForwardTraining(in BatchNormTraining a)
    {
        if (!IsVectorised)
        {
            ReferenceBatchNorm.ForwardTraining(a);
            return;
        }
        a.Check();
        if (a.Spatial > 1)
        {
            CpuParallel.For(a.Channels, (long)a.Batch * a.Spatial * 4, a,
                static (in BatchNormTraining a, int first, int last) =>
                {
                    for (int c = first; c < last; c++) TrainChannel(a, c);
                });
            return;
        }
        var state = (Arguments: a, ScaleShift: Coefficients(2 * a.Channels));
        CpuParallel.For(a.Channels / Lanes, ColumnPassCost(a.Batch), state,
            static (in (BatchNormTraining Arguments, float[] ScaleShift) s, int first, int last) =>
            {
                for (int block = first; block < last; block++)
                    FeatureStatistics(s.Arguments, block * Lanes, s.ScaleShift);
            });
        for (int c = a.Channels / Lanes * Lanes; c < a.Channels; c++) ReferenceBatchNorm.TrainChannel(a, c);
        NormalizeRows(a.X, a.Y, a.Batch, a.Channels, state.ScaleShift);
    }

    public static void ForwardInference(in BatchNormInference a)
    {
        if (!IsVectorised)
        {
            ReferenceBatchNorm.ForwardInference(a);
            return;
        }
        a.Check();
        if (a.Spatial > 1)
        {
            CpuParallel.For(a.Channels, (long)a.Batch * a.Spatial, a,
                static (in BatchNormInference a, int first, int last) =>
                {
                    for (int c = first; c < last; c++)
                    {
                        float inverseStd = 1f / MathF.Sqrt(a.MovingVariance[c] + a.Epsilon);
                        NormalizeChannel(a.X, a.Batch, a.Channels, a.Spatial, c, a.MovingMean[c], inverseStd,
                            a.Gamma?[c] ?? 1f, a.Beta?[c] ?? 0f, a.Y);
                    }
                });
            return;
        }
        int features = a.Channels, covered = features / Lanes * Lanes;
        float[] scaleShift = Coefficients(2 * features);
        fixed (float* movingMean = a.MovingMean, movingVariance = a.MovingVariance, gamma = a.Gamma, beta = a.Beta,
               coefficients = scaleShift)
        {
            var epsilon = Vector256.Create(a.Epsilon);
            for (int c = 0; c < covered; c += Lanes)
            {
                Vector256<float> inverseStd = Vector256<float>.One / Vector256.Sqrt(Vector256.Load(movingVariance + c)
                    + epsilon);
                ScaleAndShift(gamma, beta, c, Vector256.Load(movingMean + c), inverseStd, coefficients, features);
            }
        }
        for (int c = covered; c < features; c++) ReferenceBatchNorm.InferChannel(a, c);
        NormalizeRows(a.X, a.Y, a.Batch, features, scaleShift);
    }

    public static void Backward(in BatchNormGradient a)
    {
        if (!IsVectorised)
        {
            ReferenceBatchNorm.Backward(a);
            return;
        }
        a.Check();
        if (a.Spatial > 1)
        {
            CpuParallel.For(a.Channels, (long)a.Batch * a.Spatial * 4, a,
                static (in BatchNormGradient a, int first, int last) =>
                {
                    for (int c = first; c < last; c++) BackwardChannel(a, c);
                });
            return;
        }
        var state = (Arguments: a, Coefficients: Coefficients(3 * a.Channels));
        CpuParallel.For(a.Channels / Lanes, ColumnPassCost(a.Batch), state,
            static (in (BatchNormGradient Arguments, float[] Coefficients) s, int first, int last) =>
            {
                for (int block = first; block < last; block++)
                    FeatureGradientSums(s.Arguments, block * Lanes, s.Coefficients);
            });
        for (int c = a.Channels / Lanes * Lanes; c < a.Channels; c++) ReferenceBatchNorm.BackwardChannel(a, c);
        if (a.Dx is null) return;
        CpuParallel.For(a.Batch, RowPassCost(a.Channels), state,
            static (in (BatchNormGradient Arguments, float[] Coefficients) s, int first, int last) =>
                InputGradientRows(s.Arguments, s.Coefficients, first, last));
    }

    /// <summary>
    /// The calling thread's buffer for the coefficients per feature (two or three) between a pass down
    /// the columns and the pass along the rows, grown as needed.
    /// </summary>
    private static float[] Coefficients(int length)
    {
        if (t_coefficients is null || t_coefficients.Length < length) t_coefficients = new float[length];
        return t_coefficients;
    }

    [ThreadStatic] private static float[]? t_coefficients;

    // ── Per feature: eight columns of [rows, features] side by side, then the rows ──

    // What a block of eight features' pass down the columns, and a row of the elementwise pass (y, or dx), cost in
    // CpuParallel's multiply-adds. A column pass widens each value to double and adds it to its column's sum, about
    // five cycles a row for a block on Zen 3 (a [100, 256] forward pass took 13 µs on one thread), where the GEMM
    // kernels do 32 multiply-adds a cycle. Costed as two multiply-adds an element, neither pass was shared by the
    // threads at [100, 256]; shared, forward and backward took about 10 and 12 µs instead of 13 and 15.
    private static long ColumnPassCost(int rows) => (long)rows * Lanes * 16;

    private static long RowPassCost(int features) => (long)features / Lanes * Lanes * 8;

    /// <summary>
    /// The statistics of features [c, c + 8), each summed down its column in double, saved and
    /// folded into the moving ones; their scale and shift go to <paramref name="scaleShift"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FeatureStatistics(in BatchNormTraining a, int c, float[] scaleShift)
    {
        int rows = a.Batch, features = a.Channels;
        fixed (float* x = a.X, saved = a.Saved, movingMean = a.MovingMean, movingVariance = a.MovingVariance,
               gamma = a.Gamma, beta = a.Beta, coefficients = scaleShift)
        {
            Vector256<double> sumLow = default, sumHigh = default;
            for (int n = 0; n < rows; n++)
            {
                var (low, high) = Vector256.Widen(Vector256.Load(x + (nint)n * features + c));
                sumLow += low;
                sumHigh += high;
            }
            var count = Vector256.Create((double)rows);
            Vector256<double> meanLow = sumLow / count, meanHigh = sumHigh / count;
            Vector256<double> squaresLow = default, squaresHigh = default;
            for (int n = 0; n < rows; n++)
            {
                var (low, high) = Vector256.Widen(Vector256.Load(x + (nint)n * features + c));
                Vector256<double> dLow = low - meanLow, dHigh = high - meanHigh;
                squaresLow += dLow * dLow;
                squaresHigh += dHigh * dHigh;
            }
            Vector256<double> varianceLow = squaresLow / count, varianceHigh = squaresHigh / count;
            var epsilon = Vector256.Create((double)a.Epsilon);
            Vector256<float> inverseStd = Vector256.Narrow(
                Vector256<double>.One / Vector256.Sqrt(varianceLow + epsilon),
                Vector256<double>.One / Vector256.Sqrt(varianceHigh + epsilon));
            Vector256<float> mean = Vector256.Narrow(meanLow, meanHigh), variance = Vector256.Narrow(varianceLow,
                varianceHigh);
            Vector256.Store(mean, saved + c);
            Vector256.Store(inverseStd, saved + features + c);
            var momentum = Vector256.Create(a.Momentum);
            var complement = Vector256.Create(1f - a.Momentum);
            Vector256.Store(Vector256.Load(movingMean + c) * momentum + mean * complement, movingMean + c);
            Vector256.Store(Vector256.Load(movingVariance + c) * momentum + variance * complement, movingVariance + c);
            ScaleAndShift(gamma, beta, c, mean, inverseStd, coefficients, features);
        }
    }

    /// <summary>y = x·scale + shift for features [c, c + 8): scale at c, shift at features + c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleAndShift(float* gamma, float* beta, int c, Vector256<float> mean,
        Vector256<float> inverseStd, float* scaleShift, int features)
    {
        Vector256<float> scale = Load(gamma, c, 1f) * inverseStd;
        Vector256.Store(scale, scaleShift + c);
        Vector256.Store(Load(beta, c, 0f) - mean * scale, scaleShift + features + c);
    }

    /// <summary>y = x·scale + shift over the features the vectors cover, rows split across the threads.</summary>
    private static void NormalizeRows(float[] x, float[] y, int rows, int features, float[] scaleShift) =>
        CpuParallel.For(rows, RowPassCost(features), (X: x, Y: y, Features: features, ScaleShift: scaleShift),
            static (in (float[] X, float[] Y, int Features, float[] ScaleShift) s, int first, int last) =>
            {
                int features = s.Features, covered = features / Lanes * Lanes;
                fixed (float* x = s.X, y = s.Y, scales = s.ScaleShift)
                {
                    float* shifts = scales + features;
                    for (int n = first; n < last; n++)
                    {
                        nint row = (nint)n * features;
                        for (int c = 0; c < covered; c += Lanes)
                            Vector256.Store(Vector256.Load(x + row + c) * Vector256.Load(scales + c)
                                + Vector256.Load(shifts + c), y + row + c);
                    }
                }
            });

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(float* values, int c, float absent) =>
        values is null ? Vector256.Create(absent) : Vector256.Load(values + c);

    /// <summary>
    /// Σdy and Σdy·x̂ of features [c, c + 8) down their columns in double, added to dβ and dγ; for
    /// <see cref="InputGradientRows"/>, <paramref name="coefficients"/> gets their means (Σdy's at c,
    /// Σdy·x̂'s at features + c) and the scale γ/σ (at 2·features + c).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FeatureGradientSums(in BatchNormGradient a, int c, float[] coefficients)
    {
        int rows = a.Batch, features = a.Channels;
        fixed (float* x = a.X, dy = a.Dy, saved = a.Saved, gamma = a.Gamma)
        {
            Vector256<float> mean = Vector256.Load(saved + c), inverseStd = Vector256.Load(saved + features + c);
            Vector256<double> sumDyLow = default, sumDyHigh = default, sumDyXhatLow = default, sumDyXhatHigh = default;
            for (int n = 0; n < rows; n++)
            {
                nint at = (nint)n * features + c;
                Vector256<float> g = Vector256.Load(dy + at);
                var (gLow, gHigh) = Vector256.Widen(g);
                var (pLow, pHigh) = Vector256.Widen(g * (Vector256.Load(x + at) - mean) * inverseStd);
                sumDyLow += gLow;
                sumDyHigh += gHigh;
                sumDyXhatLow += pLow;
                sumDyXhatHigh += pHigh;
            }
            Vector256<float> sumDy = Vector256.Narrow(sumDyLow, sumDyHigh), sumDyXhat = Vector256.Narrow(sumDyXhatLow,
                sumDyXhatHigh);
            if (a.DBeta is { } dBeta) AddTo(dBeta, c, sumDy);
            if (a.DGamma is { } dGamma) AddTo(dGamma, c, sumDyXhat);
            if (a.Dx is null) return;
            var count = Vector256.Create((double)rows);
            Vector256.Narrow(sumDyLow / count, sumDyHigh / count).CopyTo(coefficients.AsSpan(c, Lanes));
            Vector256.Narrow(sumDyXhatLow / count, sumDyXhatHigh / count)
                .CopyTo(coefficients.AsSpan(features + c, Lanes));
            (Load(gamma, c, 1f) * inverseStd).CopyTo(coefficients.AsSpan(2 * features + c, Lanes));
        }
    }

    /// <summary>Adds (or sets, <see cref="BatchNormGradient.SetDx"/>) rows [first, last) of dx, over the features the
    /// vectors cover, in memory order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientRows(in BatchNormGradient a, float[] coefficients, int first, int last)
    {
        int features = a.Channels, covered = features / Lanes * Lanes;
        bool set = a.SetDx;
        fixed (float* x = a.X, dy = a.Dy, dx = a.Dx, saved = a.Saved, meanDys = coefficients)
        {
            float* meanDyXhats = meanDys + features, scales = meanDys + 2 * features;
            for (int n = first; n < last; n++)
            {
                nint row = (nint)n * features;
                for (int c = 0; c < covered; c += Lanes)
                {
                    Vector256<float> mean = Vector256.Load(saved + c);
                    Vector256<float> inverseStd = Vector256.Load(saved + features + c);
                    Vector256<float> scale = Vector256.Load(scales + c);
                    Vector256<float> xhat = (Vector256.Load(x + row + c) - mean) * inverseStd;
                    Vector256<float> gradient = scale * (Vector256.Load(dy + row + c) - Vector256.Load(meanDys + c)
                        - xhat * Vector256.Load(meanDyXhats + c));
                    Vector256<float> before = set ? Vector256<float>.Zero : Vector256.Load(dx + row + c);
                    Vector256.Store(before + gradient, dx + row + c);
                }
            }
        }
    }


    private static void AddTo(float[] target, int c, Vector256<float> values) =>
        (Vector256.Create(target.AsSpan(c, Lanes)) + values).CopyTo(target.AsSpan(c, Lanes));

    // ── Per channel: runs of H·W ──

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TrainChannel(in BatchNormTraining a, int c)
    {
        int batch = a.Batch, channels = a.Channels, spatial = a.Spatial;
        double count = (double)batch * spatial;
        fixed (float* x = a.X)
        {
            Vector256<double> low = default, high = default;
            double tail = 0;
            for (int n = 0; n < batch; n++)
            {
                float* run = x + ((nint)n * channels + c) * spatial;
                int s = 0;
                for (; s <= spatial - Lanes; s += Lanes)
                {
                    var (l, h) = Vector256.Widen(Vector256.Load(run + s));
                    low += l;
                    high += h;
                }
                for (; s < spatial; s++) tail += run[s];
            }
            double mean = (Vector256.Sum(low + high) + tail) / count;
            var meanVector = Vector256.Create(mean);
            (low, high, tail) = (default, default, 0);
            for (int n = 0; n < batch; n++)
            {
                float* run = x + ((nint)n * channels + c) * spatial;
                int s = 0;
                for (; s <= spatial - Lanes; s += Lanes)
                {
                    var (l, h) = Vector256.Widen(Vector256.Load(run + s));
                    Vector256<double> dLow = l - meanVector, dHigh = h - meanVector;
                    low += dLow * dLow;
                    high += dHigh * dHigh;
                }
                for (; s < spatial; s++)
                {
                    double d = run[s] - mean;
                    tail += d * d;
                }
            }
            double variance = (Vector256.Sum(low + high) + tail) / count;
            float inverseStd = (float)(1.0 / Math.Sqrt(variance + a.Epsilon));
            a.Saved[c] = (float)mean;
            a.Saved[channels + c] = inverseStd;
            a.MovingMean[c] = a.MovingMean[c] * a.Momentum + (float)mean * (1f - a.Momentum);
            a.MovingVariance[c] = a.MovingVariance[c] * a.Momentum + (float)variance * (1f - a.Momentum);
        }
        NormalizeChannel(a.X, batch, channels, spatial, c, a.Saved[c], a.Saved[channels + c], a.Gamma?[c] ?? 1f,
            a.Beta?[c] ?? 0f, a.Y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeChannel(float[] xs, int batch, int channels, int spatial, int c, float mean,
        float inverseStd, float gamma, float beta, float[] ys)
    {
        float scale = gamma * inverseStd, shift = beta - mean * scale;
        Vector256<float> scales = Vector256.Create(scale), shifts = Vector256.Create(shift);
        fixed (float* x = xs, y = ys)
        {
            for (int n = 0; n < batch; n++)
            {
                nint offset = ((nint)n * channels + c) * spatial;
                int s = 0;
                for (; s <= spatial - Lanes; s += Lanes)
                    Vector256.Store(Vector256.Load(x + offset + s) * scales + shifts, y + offset + s);
                for (; s < spatial; s++) y[offset + s] = x[offset + s] * scale + shift;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardChannel(in BatchNormGradient a, int c)
    {
        int batch = a.Batch, channels = a.Channels, spatial = a.Spatial;
        double count = (double)batch * spatial;
        float mean = a.Saved[c], inverseStd = a.Saved[channels + c];
        Vector256<float> means = Vector256.Create(mean), inverseStds = Vector256.Create(inverseStd);
        fixed (float* x = a.X, dy = a.Dy, dx = a.Dx)
        {
            Vector256<double> dyLow = default, dyHigh = default, productLow = default, productHigh = default;
            double dyTail = 0, productTail = 0;
            for (int n = 0; n < batch; n++)
            {
                nint offset = ((nint)n * channels + c) * spatial;
                int s = 0;
                for (; s <= spatial - Lanes; s += Lanes)
                {
                    Vector256<float> g = Vector256.Load(dy + offset + s);
                    var (gl, gh) = Vector256.Widen(g);
                    var (pl, ph) = Vector256.Widen(g * (Vector256.Load(x + offset + s) - means) * inverseStds);
                    dyLow += gl;
                    dyHigh += gh;
                    productLow += pl;
                    productHigh += ph;
                }
                for (; s < spatial; s++)
                {
                    float g = dy[offset + s];
                    dyTail += g;
                    productTail += g * (x[offset + s] - mean) * inverseStd;
                }
            }
            double sumDy = Vector256.Sum(dyLow + dyHigh) + dyTail,
                sumDyXhat = Vector256.Sum(productLow + productHigh) + productTail;
            if (a.DBeta is not null) a.DBeta[c] += (float)sumDy;
            if (a.DGamma is not null) a.DGamma[c] += (float)sumDyXhat;
            if (dx is null) return;
            float scale = (a.Gamma?[c] ?? 1f) * inverseStd;
            float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count);
            Vector256<float> scales = Vector256.Create(scale), meanDys = Vector256.Create(meanDy),
                meanDyXhats = Vector256.Create(meanDyXhat);
            for (int n = 0; n < batch; n++)
            {
                nint offset = ((nint)n * channels + c) * spatial;
                int s = 0;
                for (; s <= spatial - Lanes; s += Lanes)
                {
                    Vector256<float> xhat = (Vector256.Load(x + offset + s) - means) * inverseStds;
                    Vector256<float> gradient = scales * (Vector256.Load(dy + offset
                        + s) - meanDys - xhat * meanDyXhats);
                    Vector256<float> before = a.SetDx ? Vector256<float>.Zero : Vector256.Load(dx + offset + s);
                    Vector256.Store(before + gradient, dx + offset + s);
                }
                for (; s < spatial; s++)
                {
                    float xhat = (x[offset + s] - mean) * inverseStd;
                    dx[offset + s] = (a.SetDx ? 0f : dx[offset + s]) + scale * (dy[offset + s] - meanDy - xhat *
                        meanDyXhat);
                }
            }
        }
    }
}
