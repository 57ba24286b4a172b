namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>Per-sample losses and their gradients, with Keras's definitions and clipping.</summary>
internal static class ReferenceLosses
{
    /// <summary>Keras's backend epsilon: probabilities are clipped to [ε, 1 − ε] before a logarithm.</summary>
    public const float Epsilon = 1e-7f;

    public static void Forward(LossKind kind, ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int rows,
        int cols, Span<float> lossPerSample)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> p = prediction.Slice(r * cols, cols), t = target.Slice(r * cols, cols);
            lossPerSample[r] = kind switch
            {
                LossKind.MeanSquaredError => MeanSquaredError(p, t),
                LossKind.BinaryCrossEntropy => BinaryCrossEntropy(p, t),
                LossKind.CategoricalCrossEntropy => CategoricalCrossEntropy(p, t),
                LossKind.SoftmaxCrossEntropy => SoftmaxCrossEntropy(p, t),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            };
        }
    }

    public static void Backward(LossKind kind, ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int rows,
        int cols, float scale, Span<float> dPrediction)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> p = prediction.Slice(r * cols, cols), t = target.Slice(r * cols, cols);
            Span<float> dp = dPrediction.Slice(r * cols, cols);
            switch (kind)
            {
                case LossKind.MeanSquaredError:
                    for (int c = 0; c < cols; c++) dp[c] += scale * 2f * (p[c] - t[c]) / cols;
                    break;
                case LossKind.BinaryCrossEntropy:
                    for (int c = 0; c < cols; c++)
                    {
                        // Clipping has zero slope outside [ε, 1 − ε], as in Keras.
                        if (p[c] < Epsilon || p[c] > 1f - Epsilon) continue;
                        dp[c] += scale * (p[c] - t[c]) / (p[c] * (1f - p[c])) / cols;
                    }
                    break;
                case LossKind.CategoricalCrossEntropy:
                    CategoricalCrossEntropyGradient(p, t, scale, dp);
                    break;
                case LossKind.SoftmaxCrossEntropy:
                    SoftmaxCrossEntropyGradient(p, t, scale, dp);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
            }
        }
    }

    private static float MeanSquaredError(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        float sum = 0f;
        for (int c = 0; c < p.Length; c++) sum += (p[c] - t[c]) * (p[c] - t[c]);
        return sum / p.Length;
    }

    private static float BinaryCrossEntropy(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        float sum = 0f;
        for (int c = 0; c < p.Length; c++)
        {
            float q = Math.Clamp(p[c], Epsilon, 1f - Epsilon);
            sum -= t[c] * MathF.Log(q) + (1f - t[c]) * MathF.Log(1f - q);
        }
        return sum / p.Length;
    }

    // Keras first rescales the prediction so each row sums to one, then clips.
    private static float CategoricalCrossEntropy(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        float total = Sum(p), loss = 0f;
        for (int c = 0; c < p.Length; c++) loss -= t[c] * MathF.Log(Math.Clamp(p[c] / total, Epsilon, 1f - Epsilon));
        return loss;
    }

    // With q = p / s, s = Σp: ∂/∂p_j of −Σ t log q = −t_j / p_j + Σt / s (the first term vanishes where q is
    // clipped).
    private static void CategoricalCrossEntropyGradient(ReadOnlySpan<float> p, ReadOnlySpan<float> t, float scale,
        Span<float> dp)
    {
        float total = Sum(p), targetTotal = Sum(t);
        for (int c = 0; c < p.Length; c++)
        {
            float q = p[c] / total;
            float direct = q < Epsilon || q > 1f - Epsilon ? 0f : -t[c] / p[c];
            dp[c] += scale * (direct + targetTotal / total);
        }
    }

    // −Σ t·log softmax(z) = Σ t · (logsumexp(z) − z), exact for any logits.
    private static float SoftmaxCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<float> t)
    {
        float logSumExp = LogSumExp(z), loss = 0f;
        for (int c = 0; c < z.Length; c++) loss += t[c] * (logSumExp - z[c]);
        return loss;
    }

    // ∂/∂z_j = softmax(z)_j · Σt − t_j.
    private static void SoftmaxCrossEntropyGradient(ReadOnlySpan<float> z, ReadOnlySpan<float> t, float scale,
        Span<float> dz)
    {
        float logSumExp = LogSumExp(z), targetTotal = Sum(t);
        for (int c = 0; c < z.Length; c++) dz[c] += scale * (MathF.Exp(z[c] - logSumExp) * targetTotal - t[c]);
    }

    private static float LogSumExp(ReadOnlySpan<float> z)
    {
        float max = float.NegativeInfinity;
        foreach (float v in z) max = MathF.Max(max, v);
        float sum = 0f;
        foreach (float v in z) sum += MathF.Exp(v - max);
        return max + MathF.Log(sum);
    }

    private static float Sum(ReadOnlySpan<float> x)
    {
        float sum = 0f;
        foreach (float v in x) sum += v;
        return sum;
    }
}
