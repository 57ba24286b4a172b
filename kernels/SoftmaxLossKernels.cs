using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// Row-wise softmax and the per-sample losses with their gradients, [rows, cols] row-major. A
/// thread per row: rows are short (one value per class), and each is summed in the CPU
/// reference's order.
/// </summary>
public static class SoftmaxLossKernels
{
    [KernelFor("SoftmaxForward")]
    public static void SoftmaxForward(ArrayView<float> x, int rows, int cols, ArrayView<float> y)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            long row = (long)r * cols;
            float max = RowMax(x, row, cols), sum = 0f;
            for (int c = 0; c < cols; c++)
            {
                float e = MathF.Exp(x[row + c] - max);
                y[row + c] = e;
                sum += e;
            }
            float inverse = 1f / sum;
            for (int c = 0; c < cols; c++) y[row + c] *= inverse;
        }
    }

    /// <summary>dx += y ⊙ (dy − Σ_c dy·y) per row.</summary>
    [KernelFor("SoftmaxBackward")]
    public static void SoftmaxBackward(ArrayView<float> y, ArrayView<float> dy, int rows, int cols, ArrayView<float> dx)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            long row = (long)r * cols;
            float dot = 0f;
            for (int c = 0; c < cols; c++) dot += dy[row + c] * y[row + c];
            for (int c = 0; c < cols; c++) dx[row + c] += y[row + c] * (dy[row + c] - dot);
        }
    }

    /// <summary>lossPerSample[r] = the loss of prediction row r against target row r (logits for the fused
    /// softmax).</summary>
    [KernelFor("LossForward")]
    public static void LossForward(int kind, ArrayView<float> prediction, ArrayView<float> target, int rows, int cols,
        ArrayView<float> lossPerSample)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            long row = (long)r * cols;
            float loss = 0f;
            if (kind == DeviceMath.MeanSquaredError)
            {
                for (int c = 0; c < cols; c++)
                {
                    float d = prediction[row + c] - target[row + c];
                    loss += d * d;
                }
                loss /= cols;
            }
            else if (kind == DeviceMath.BinaryCrossEntropy)
            {
                for (int c = 0; c < cols; c++)
                {
                    float q = DeviceMath.ClipProbability(prediction[row + c]), t = target[row + c];
                    loss -= t * MathF.Log(q) + (1f - t) * MathF.Log(1f - q);
                }
                loss /= cols;
            }
            else if (kind == DeviceMath.CategoricalCrossEntropy)
            {
                // Keras first rescales the prediction so each row sums to one, then clips.
                float total = RowSum(prediction, row, cols);
                for (int c = 0; c < cols; c++)
                    loss -= target[row + c] * MathF.Log(DeviceMath.ClipProbability(prediction[row + c] / total));
            }
            else
            {
                // −Σ t·log softmax(z) = Σ t·(logsumexp(z) − z): finite for any logits.
                float logSumExp = LogSumExp(prediction, row, cols);
                for (int c = 0; c < cols; c++) loss += target[row + c] * (logSumExp - prediction[row + c]);
            }
            lossPerSample[r] = loss;
        }
    }

    /// <summary>dPrediction += scale · ∂loss/∂prediction, row by row.</summary>
    [KernelFor("LossBackward")]
    public static void LossBackward(int kind, ArrayView<float> prediction, ArrayView<float> target, int rows, int cols,
        float scale, ArrayView<float> dPrediction)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            long row = (long)r * cols;
            if (kind == DeviceMath.MeanSquaredError)
            {
                for (int c = 0; c < cols; c++)
                    dPrediction[row + c] += scale * 2f * (prediction[row + c] - target[row + c]) / cols;
            }
            else if (kind == DeviceMath.BinaryCrossEntropy)
            {
                for (int c = 0; c < cols; c++)
                {
                    float p = prediction[row + c];
                    // Clipping has zero slope outside [ε, 1 − ε], as in Keras.
                    if (p < DeviceMath.LossEpsilon || p > 1f - DeviceMath.LossEpsilon) continue;
                    dPrediction[row + c] += scale * (p - target[row + c]) / (p * (1f - p)) / cols;
                }
            }
            else if (kind == DeviceMath.CategoricalCrossEntropy)
            {
                float total = RowSum(prediction, row, cols), targetTotal = RowSum(target, row, cols);
                for (int c = 0; c < cols; c++)
                {
                    float p = prediction[row + c], q = p / total;
                    float direct = q < DeviceMath.LossEpsilon || q > 1f - DeviceMath.LossEpsilon ? 0f
                        : -target[row + c] / p;
                    dPrediction[row + c] += scale * (direct + targetTotal / total);
                }
            }
            else
            {
                float logSumExp = LogSumExp(prediction, row, cols), targetTotal = RowSum(target, row, cols);
                for (int c = 0; c < cols; c++)
                    dPrediction[row
                        + c] += scale * (MathF.Exp(prediction[row + c] - logSumExp) * targetTotal - target[row + c]);
            }
        }
    }

    private static float RowMax(ArrayView<float> x, long row, int cols)
    {
        float max = float.NegativeInfinity;
        for (int c = 0; c < cols; c++) max = DeviceMath.Max(max, x[row + c]);
        return max;
    }

    private static float RowSum(ArrayView<float> x, long row, int cols)
    {
        float sum = 0f;
        for (int c = 0; c < cols; c++) sum += x[row + c];
        return sum;
    }

    private static float LogSumExp(ArrayView<float> z, long row, int cols)
    {
        float max = RowMax(z, row, cols), sum = 0f;
        for (int c = 0; c < cols; c++) sum += MathF.Exp(z[row + c] - max);
        return max + MathF.Log(sum);
    }
}
