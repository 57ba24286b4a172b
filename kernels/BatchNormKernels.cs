using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// Batch normalization over x [batch, channels, spatial] (spatial 1 after a Dense layer). Training
/// and backward: a group per channel, its statistics reduced in double, the variance in a second
/// pass, as the CPU does. Inference: a thread per element. A gamma or beta left out
/// (<paramref name="hasGamma"/> 0) stands for ones or zeros.
/// </summary>
public static class BatchNormKernels
{
    /// <summary>
    /// y = gamma · (x − mean) / √(var + ε) + beta with the batch's mean and biased variance;
    /// saved [2, channels] gets the mean and 1/√(var + ε); moving = moving · momentum + batch · (1 − momentum).
    /// </summary>
    [KernelFor("BatchNormForwardTraining")]
    public static void ForwardTraining<TShape>(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        BatchNormShape shape,
        float momentum, float epsilon, ArrayView<float> y, ArrayView<float> saved, ArrayView<float> movingMean,
            ArrayView<float> movingVariance)
        where TShape : struct, IKernelShape
    {
        var scratch = SharedMemory.Allocate<double>(default(TShape).ReduceThreads);
        int threads = default(TShape).ReduceThreads;
        int c = Grid.IdxX, channels = shape.Channels, spatial = shape.Spatial;
        long count = (long)shape.Batch * spatial;
        double sum = 0.0;
        for (long e = Group.IdxX; e < count; e += threads) sum += x[shape.Index(c, e)];
        double mean = ReductionKernels.GroupSum<TShape>(sum, scratch) / count;
        double squares = 0.0;
        for (long e = Group.IdxX; e < count; e += threads)
        {
            double d = x[shape.Index(c, e)] - mean;
            squares += d * d;
        }
        double variance = ReductionKernels.GroupSum<TShape>(squares, scratch) / count;
        float inverseStd = (float)(1.0 / Math.Sqrt(variance + epsilon));
        if (Group.IdxX == 0)
        {
            saved[c] = (float)mean;
            saved[channels + c] = inverseStd;
            movingMean[c] = movingMean[c] * momentum + (float)mean * (1f - momentum);
            movingVariance[c] = movingVariance[c] * momentum + (float)variance * (1f - momentum);
        }
        float scale = (shape.HasGamma != 0 ? gamma[c] : 1f) * inverseStd;
        float shift = (shape.HasBeta != 0 ? beta[c] : 0f) - (float)mean * scale;
        for (long e = Group.IdxX; e < count; e += threads)
        {
            long i = shape.Index(c, e);
            y[i] = x[i] * scale + shift;
        }
    }

    /// <summary>y = gamma · (x − movingMean) / √(movingVariance + ε) + beta, a thread per element.</summary>
    [KernelFor("BatchNormForwardInference")]
    public static void ForwardInference(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> movingMean,
        ArrayView<float> movingVariance, BatchNormShape shape, float epsilon, ArrayView<float> y)
    {
        long length = (long)shape.Batch * shape.Channels * shape.Spatial;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride)
        {
            int c = (int)(e / shape.Spatial % shape.Channels);
            float inverseStd = 1f / MathF.Sqrt(movingVariance[c] + epsilon);
            float scale = (shape.HasGamma != 0 ? gamma[c] : 1f) * inverseStd;
            float shift = (shape.HasBeta != 0 ? beta[c] : 0f) - movingMean[c] * scale;
            y[e] = x[e] * scale + shift;
        }
    }

    /// <summary>
    /// dx += γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), dGamma += Σ dy·x̂, dBeta += Σ dy, from the
    /// forward's saved [2, channels]; an output whose flag is 0 is skipped.
    /// </summary>
    [KernelFor("BatchNormBackward")]
    public static void Backward<TShape>(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> saved,
        ArrayView<float> dy,
        BatchNormShape shape, BatchNormOutputs outputs, ArrayView<float> dx, ArrayView<float> dGamma,
            ArrayView<float> dBeta)
        where TShape : struct, IKernelShape
    {
        var scratch = SharedMemory.Allocate<double>(default(TShape).ReduceThreads);
        int threads = default(TShape).ReduceThreads;
        int c = Grid.IdxX;
        long count = (long)shape.Batch * shape.Spatial;
        float mean = saved[c], inverseStd = saved[shape.Channels + c];
        double sumDy = 0.0, sumDyXhat = 0.0;
        for (long e = Group.IdxX; e < count; e += threads)
        {
            long i = shape.Index(c, e);
            float g = dy[i];
            sumDy += g;
            sumDyXhat += g * (x[i] - mean) * inverseStd;
        }
        sumDy = ReductionKernels.GroupSum<TShape>(sumDy, scratch);
        sumDyXhat = ReductionKernels.GroupSum<TShape>(sumDyXhat, scratch);
        if (Group.IdxX == 0)
        {
            if (outputs.HasDBeta != 0) dBeta[c] += (float)sumDy;
            if (outputs.HasDGamma != 0) dGamma[c] += (float)sumDyXhat;
        }
        if (outputs.HasDx == 0) return;
        float scale = (shape.HasGamma != 0 ? gamma[c] : 1f) * inverseStd;
        float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count);
        for (long e = Group.IdxX; e < count; e += threads)
        {
            long i = shape.Index(c, e);
            float xhat = (x[i] - mean) * inverseStd;
            dx[i] = (outputs.SetsDx != 0 ? 0f : dx[i]) + scale * (dy[i] - meanDy - xhat * meanDyXhat);
        }
    }
}
