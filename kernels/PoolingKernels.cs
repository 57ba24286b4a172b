using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// Max, average and L2 pooling over NCHW images. Windows are clipped to the image: padding is left
/// out, never read as zeros. Forward: a thread per output element. Backward: a thread per (image,
/// channel) plane, walking its outputs in the CPU reference's order, so overlapping windows never
/// put two threads on one pixel and no atomics are needed.
/// </summary>
public static class PoolingKernels
{
    /// <summary>
    /// y [N, C, OH, OW] = the largest element of each window of x [N, C, H, W], then ReLU when
    /// <paramref name="relu"/> is 1 (the maximum of a window's ReLU is the ReLU of its maximum).
    /// argmax holds where each maximum was, as the offset h·W + w in its input plane (a float, exact
    /// below 2²⁴ pixels a plane); on ties the first in row-major window order wins.
    /// </summary>
    [KernelFor("MaxPoolForward", "MaxPoolReluForward", "Conv2DMaxPoolForward")]
    public static void MaxForward(ArrayView<float> x, KernelWindow g, int relu, ArrayView<float> y,
        ArrayView<float> argmax)
    {
        int outputPlane = g.OutputPlane;
        long length = (long)g.Planes * outputPlane;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride)
        {
            long plane = e / outputPlane;
            int o = (int)(e % outputPlane), oh = o / g.OutputWidth, ow = o % g.OutputWidth;
            long input = plane * g.InputPlane;
            int h0 = g.FirstRow(oh), h1 = g.EndRow(oh), w0 = g.FirstColumn(ow), w1 = g.EndColumn(ow);
            // A strict '>' from the first element keeps the first maximum on ties.
            int best = h0 * g.Width + w0;
            float bestValue = x[input + best];
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    float value = x[input + h * g.Width + w];
                    if (value > bestValue)
                    {
                        bestValue = value;
                        best = h * g.Width + w;
                    }
                }
            y[e] = relu != 0 && !(bestValue > 0f) ? 0f : bestValue;
            argmax[e] = best;
        }
    }

    /// <summary>
    /// dx [N, C, H, W] (+)= dy routed to where each window took its maximum; with
    /// <paramref name="relu"/> 1 only where the pooled output y was positive (the ReLU after the
    /// pooling). With <paramref name="accumulate"/> 0 the plane is set: zero where no maximum was.
    /// </summary>
    [KernelFor("MaxPoolBackward", "MaxPoolBackwardSet", "MaxPoolReluBackward", "Conv2DMaxPoolBackward")]
    public static void MaxBackward(ArrayView<float> dy, ArrayView<float> y, ArrayView<float> argmax, KernelWindow g,
        int relu, int accumulate, ArrayView<float> dx)
    {
        int outputPlane = g.OutputPlane, inputPlane = g.InputPlane, planes = g.Planes;
        int stride = Grid.DimX * Group.DimX;
        for (int plane = Grid.GlobalIndex.X; plane < planes; plane += stride)
        {
            long image = (long)plane * inputPlane, offset = (long)plane * outputPlane;
            if (accumulate == 0)
                for (int i = 0; i < inputPlane; i++) dx[image + i] = 0f;
            for (int o = 0; o < outputPlane; o++)
            {
                if (relu != 0 && !(y[offset + o] > 0f)) continue;
                dx[image + (int)argmax[offset + o]] += dy[offset + o];
            }
        }
    }

    /// <summary>y = the mean of each window over its elements inside the image (Keras's 'same' divides by that
    /// count).</summary>
    [KernelFor("AveragePoolForward")]
    public static void AverageForward(ArrayView<float> x, KernelWindow g, ArrayView<float> y)
    {
        int outputPlane = g.OutputPlane;
        long length = (long)g.Planes * outputPlane;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride)
        {
            long input = e / outputPlane * g.InputPlane;
            int o = (int)(e % outputPlane), oh = o / g.OutputWidth, ow = o % g.OutputWidth;
            int h0 = g.FirstRow(oh), h1 = g.EndRow(oh), w0 = g.FirstColumn(ow), w1 = g.EndColumn(ow);
            float sum = 0f;
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++) sum += x[input + h * g.Width + w];
            y[e] = sum / ((h1 - h0) * (w1 - w0));
        }
    }

    /// <summary>dx += dy / count, spread over each window's elements inside the image.</summary>
    [KernelFor("AveragePoolBackward")]
    public static void AverageBackward(ArrayView<float> dy, KernelWindow g, ArrayView<float> dx)
    {
        int planes = g.Planes;
        int stride = Grid.DimX * Group.DimX;
        for (int plane = Grid.GlobalIndex.X; plane < planes; plane += stride)
        {
            long image = (long)plane * g.InputPlane, offset = (long)plane * g.OutputPlane;
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                int h0 = g.FirstRow(oh), h1 = g.EndRow(oh);
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    int w0 = g.FirstColumn(ow), w1 = g.EndColumn(ow);
                    float share = dy[offset + oh * g.OutputWidth + ow] / ((h1 - h0) * (w1 - w0));
                    for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++) dx[image + h * g.Width + w] += share;
                }
            }
        }
    }

    /// <summary>y = √(Σ x²) over each window (L2 pooling), padding ignored.</summary>
    [KernelFor("L2PoolForward")]
    public static void L2Forward(ArrayView<float> x, KernelWindow g, ArrayView<float> y)
    {
        int outputPlane = g.OutputPlane;
        long length = (long)g.Planes * outputPlane;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride)
        {
            long input = e / outputPlane * g.InputPlane;
            int o = (int)(e % outputPlane), oh = o / g.OutputWidth, ow = o % g.OutputWidth;
            int h0 = g.FirstRow(oh), h1 = g.EndRow(oh), w0 = g.FirstColumn(ow), w1 = g.EndColumn(ow);
            float sum = 0f;
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    float value = x[input + h * g.Width + w];
                    sum += value * value;
                }
            y[e] = MathF.Sqrt(sum);
        }
    }

    /// <summary>dx += dy · x / y over each window; a window of zeros (y = 0) passes no gradient, as ReLU at
    /// 0.</summary>
    [KernelFor("L2PoolBackward")]
    public static void L2Backward(ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, KernelWindow g,
        ArrayView<float> dx)
    {
        int planes = g.Planes;
        int stride = Grid.DimX * Group.DimX;
        for (int plane = Grid.GlobalIndex.X; plane < planes; plane += stride)
        {
            long image = (long)plane * g.InputPlane, offset = (long)plane * g.OutputPlane;
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                int h0 = g.FirstRow(oh), h1 = g.EndRow(oh);
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    long o = offset + oh * g.OutputWidth + ow;
                    if (y[o] == 0f) continue;
                    float factor = dy[o] / y[o];
                    int w0 = g.FirstColumn(ow), w1 = g.EndColumn(ow);
                    for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++)
                            dx[image + h * g.Width + w] += factor * x[image + h * g.Width + w];
                }
            }
        }
    }
}
