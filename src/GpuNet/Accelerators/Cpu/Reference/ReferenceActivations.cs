namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>Elementwise activations, their derivatives, and the bias broadcast that precedes them.</summary>
internal static class ReferenceActivations
{
    public static void Forward(ActivationKind kind, float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (kind)
        {
            case ActivationKind.Linear: x.CopyTo(y); break;
            case ActivationKind.Sigmoid: for (int i = 0; i < x.Length; i++) y[i] = Sigmoid(x[i]); break;
            case ActivationKind.Tanh: for (int i = 0; i < x.Length; i++) y[i] = MathF.Tanh(x[i]); break;
            case ActivationKind.Relu: for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : 0f; break;
            case ActivationKind.LeakyRelu: for (int i = 0; i < x.Length; i++)
                y[i] = x[i] > 0f ? x[i] : alpha * x[i]; break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    public static void Backward(ActivationKind kind, float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (kind)
        {
            case ActivationKind.Linear: for (int i = 0; i < dy.Length; i++) dx[i] += dy[i]; break;
            case ActivationKind.Sigmoid: for (int i = 0; i < dy.Length; i++) dx[i] += dy[i] * y[i] * (1f - y[i]); break;
            case ActivationKind.Tanh: for (int i = 0; i < dy.Length; i++) dx[i] += dy[i] * (1f - y[i] * y[i]); break;
            case ActivationKind.Relu: for (int i = 0; i < dy.Length; i++) dx[i] += x[i] > 0f ? dy[i] : 0f; break;
            case ActivationKind.LeakyRelu: for (int i = 0; i < dy.Length; i++)
                dx[i] += x[i] > 0f ? dy[i] : alpha * dy[i]; break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Written so that neither branch overflows exp for large |x|.</summary>
    public static float Sigmoid(float x)
    {
        if (x >= 0f) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    public static void AddBias(ReadOnlySpan<float> bias, int rows, int cols, Span<float> x)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++) row[c] += bias[c];
        }
    }

    public static void BiasGradient(ReadOnlySpan<float> dy, int rows, int cols, Span<float> dBias)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = dy.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++) dBias[c] += row[c];
        }
    }
}
