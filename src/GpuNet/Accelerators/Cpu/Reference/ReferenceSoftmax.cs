namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>Row-wise softmax and its backward.</summary>
internal static class ReferenceSoftmax
{
    public static void Forward(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
    {
        for (int r = 0; r < rows; r++) ForwardRow(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
    }

    /// <summary>Subtracts the row maximum first so exp never overflows.</summary>
    public static void ForwardRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x) max = MathF.Max(max, v);
        float sum = 0f;
        for (int c = 0; c < x.Length; c++)
        {
            y[c] = MathF.Exp(x[c] - max);
            sum += y[c];
        }
        float inverse = 1f / sum;
        for (int c = 0; c < x.Length; c++) y[c] *= inverse;
    }

    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int rows, int cols, Span<float> dx)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yRow = y.Slice(r * cols, cols), dyRow = dy.Slice(r * cols, cols);
            Span<float> dxRow = dx.Slice(r * cols, cols);
            float dot = 0f;
            for (int c = 0; c < cols; c++) dot += dyRow[c] * yRow[c];
            for (int c = 0; c < cols; c++) dxRow[c] += yRow[c] * (dyRow[c] - dot);
        }
    }
}
