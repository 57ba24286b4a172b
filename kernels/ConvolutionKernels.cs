using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// The data movement around the convolution's GEMM — im2col, its adjoint col2im, the swap between
/// filter-major and NCHW — and the per-channel bias. The whole batch is convolved by one GEMM over
/// col [C·kh·kw, N·OH·OW]: few, large launches.
/// </summary>
public static class ConvolutionKernels
{
    /// <summary>
    /// col [C·kh·kw, N·OH·OW] from x [N, C, H, W]: column n·OH·OW + oh·OW + ow holds the patch under
    /// output (oh, ow) of image n, row (c·kh + i)·kw + j its element (c, i, j); zero over padding.
    /// A thread per element of col.
    /// </summary>
    [KernelFor("Im2Col", "Conv2DForward", "Conv2DBackward")]
    public static void Im2Col(ArrayView<float> x, KernelWindow g, ArrayView<float> col)
    {
        int windowSize = g.WindowHeight * g.WindowWidth, outputPlane = g.OutputPlane;
        long columns = (long)g.Batch * outputPlane;
        long length = columns * g.Channels * windowSize;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride)
        {
            int row = (int)(e / columns);
            long column = e % columns;
            int c = row / windowSize, i = row / g.WindowWidth % g.WindowHeight, j = row % g.WindowWidth;
            int n = (int)(column / outputPlane), position = (int)(column % outputPlane);
            int oh = position / g.OutputWidth, ow = position % g.OutputWidth;
            int h = oh * g.StrideHeight - g.PadTop + i, w = ow * g.StrideWidth - g.PadLeft + j;
            col[e] = h >= 0 && h < g.Height && w >= 0 && w < g.Width
                ? x[(((long)n * g.Channels + c) * g.Height + h) * g.Width + w]
                : 0f;
        }
    }

    /// <summary>
    /// dx [N, C, H, W] (+)= the adjoint of im2col applied to dCol: a thread per pixel gathers every
    /// patch element copied from it, so no two threads write one pixel. Set where
    /// <paramref name="accumulate"/> is 0.
    /// </summary>
    [KernelFor("Col2Im", "Conv2DBackward")]
    public static void Col2Im(ArrayView<float> dCol, KernelWindow g, int accumulate, ArrayView<float> dx)
    {
        int outputPlane = g.OutputPlane;
        long columns = (long)g.Batch * outputPlane;
        long length = (long)g.Batch * g.Channels * g.InputPlane;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride)
        {
            int w = (int)(e % g.Width), h = (int)(e / g.Width % g.Height);
            long image = e / g.InputPlane;
            int c = (int)(image % g.Channels), n = (int)(image / g.Channels);
            float sum = 0f;
            for (int i = 0; i < g.WindowHeight; i++)
            {
                int top = h + g.PadTop - i;
                if (top < 0 || top % g.StrideHeight != 0) continue;
                int oh = top / g.StrideHeight;
                if (oh >= g.OutputHeight) continue;
                for (int j = 0; j < g.WindowWidth; j++)
                {
                    int left = w + g.PadLeft - j;
                    if (left < 0 || left % g.StrideWidth != 0) continue;
                    int ow = left / g.StrideWidth;
                    if (ow >= g.OutputWidth) continue;
                    long row = ((long)c * g.WindowHeight + i) * g.WindowWidth + j;
                    sum += dCol[row * columns + (long)n * outputPlane + oh * g.OutputWidth + ow];
                }
            }
            dx[e] = accumulate != 0 ? dx[e] + sum : sum;
        }
    }

    /// <summary>y [b, a, inner] = x [a, b, inner]: filter-major to NCHW and back.</summary>
    [KernelFor("SwapLeadingAxes", "Conv2DForward", "Conv2DBackward")]
    public static void SwapLeadingAxes(ArrayView<float> x, int a, int b, int inner, ArrayView<float> y)
    {
        long length = (long)a * b * inner;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride)
        {
            long s = e % inner;
            long q = e / inner % b, p = e / ((long)inner * b);
            y[(q * a + p) * inner + s] = x[e];
        }
    }

    /// <summary>y [batch, channels, spatial] += bias [channels].</summary>
    [KernelFor("AddChannelBias", "Conv2DForward")]
    public static void AddChannelBias(ArrayView<float> bias, int batch, int channels, int spatial, ArrayView<float> y)
    {
        long length = (long)batch * channels * spatial;
        int stride = Grid.DimX * Group.DimX;
        for (long e = Grid.GlobalIndex.X; e < length; e += stride) y[e] += bias[e / spatial % channels];
    }

    /// <summary>dBias [channels] += Σ_n Σ_s dy [batch, channels, spatial]: a group per channel, summed in
    /// double.</summary>
    [KernelFor("ChannelBiasGradient", "Conv2DBackward")]
    public static void ChannelBiasGradient<TShape>(ArrayView<float> dy, int batch, int channels, int spatial,
        ArrayView<float> dBias)
        where TShape : struct, IKernelShape
    {
        var scratch = SharedMemory.Allocate<double>(default(TShape).ReduceThreads);
        int threads = default(TShape).ReduceThreads;
        int c = Grid.IdxX;
        long count = (long)batch * spatial;
        double sum = 0.0;
        for (long e = Group.IdxX; e < count; e += threads)
        {
            long n = e / spatial, s = e % spatial;
            sum += dy[(n * channels + c) * spatial + s];
        }
        double total = ReductionKernels.GroupSum<TShape>(sum, scratch);
        if (Group.IdxX == 0) dBias[c] += (float)total;
    }
}
