using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>
/// The data movement around the convolution's GEMM: im2col, its adjoint col2im, the axis swap
/// between filter-major and NCHW, and the per-channel bias. The per-channel bias kernels here are
/// the plain references; the accelerator runs <see cref="Fast.FastChannelBias"/>'s.
/// </summary>
internal static class ReferenceConvolution
{
    /// <summary>col [C·kh·kw, N·OH·OW] from x [N, C, H, W]; one row per patch element, so rows run in
    /// parallel.</summary>
    public static void Im2Col(float[] x, Window2D g, float[] col)
    {
        g.Validate();
        BufferChecks.CheckLength(x, g.InputLength, nameof(x));
        BufferChecks.CheckLength(col, (long)g.PatchSize * g.PatchCount, nameof(col));
        CpuParallel.For(g.PatchSize, g.PatchCount, (x, g, col),
            static (in (float[] X, Window2D G, float[] Col) s, int first, int last) =>
            Im2ColRows(s.X, s.G, s.Col, first, last));
    }

    /// <summary>Rows [first, last) of col [C·kh·kw, N·OH·OW] from x [N, C, H, W], on the calling thread.</summary>
    public static void Im2ColRows(ReadOnlySpan<float> x, Window2D g, Span<float> col, int first, int last)
    {
        int columns = g.PatchCount;
        for (int row = first; row < last; row++)
        {
            int c = row / g.WindowSize, i = row / g.WindowWidth % g.WindowHeight, j = row % g.WindowWidth;
            var (owFirst, owEnd) = ValidOutputRange(j, g.StrideWidth, g.PadLeft, g.Width, g.OutputWidth);
            Span<float> destination = col.Slice(row * columns, columns);
            for (int n = 0; n < g.Batch; n++)
            {
                for (int oh = 0; oh < g.OutputHeight; oh++)
                {
                    Span<float> outRow = destination.Slice((n * g.OutputHeight + oh) * g.OutputWidth, g.OutputWidth);
                    int h = oh * g.StrideHeight - g.PadTop + i;
                    if ((uint)h >= (uint)g.Height || owFirst >= owEnd)
                    {
                        outRow.Clear();
                        continue;
                    }
                    int inputRow = ((n * g.Channels + c) * g.Height + h) * g.Width - g.PadLeft + j;
                    outRow[..owFirst].Clear();
                    outRow[owEnd..].Clear();
                    if (g.StrideWidth == 1)
                    {
                        x.Slice(inputRow + owFirst, owEnd - owFirst).CopyTo(outRow[owFirst..owEnd]);
                    }
                    else
                    {
                        for (int ow = owFirst; ow < owEnd; ow++) outRow[ow] = x[inputRow + ow * g.StrideWidth];
                    }
                }
            }
        }
    }

    /// <summary>dx [N, C, H, W] += col2im(dCol). One (image, channel) plane per work item: no two threads write one
    /// pixel.</summary>
    public static void Col2Im(float[] dCol, Window2D g, float[] dx)
    {
        g.Validate();
        BufferChecks.CheckLength(dCol, (long)g.PatchSize * g.PatchCount, nameof(dCol));
        BufferChecks.CheckLength(dx, g.InputLength, nameof(dx));
        CpuParallel.For(g.Batch * g.Channels, (long)g.WindowSize * g.OutputPlane, (dCol, g, dx),
            static (in (float[] DCol, Window2D G, float[] Dx) s, int first, int last) =>
            Col2ImPlanes(s.DCol, s.G, s.Dx, first, last));
    }

    /// <summary>dx += col2im(dCol) for the (image, channel) planes [first, last), on the calling thread.</summary>
    public static void Col2ImPlanes(ReadOnlySpan<float> dCol, Window2D g, Span<float> dx, int first, int last)
    {
        int columns = g.PatchCount;
        for (int plane = first; plane < last; plane++)
        {
            int n = plane / g.Channels, c = plane % g.Channels;
            Span<float> image = dx.Slice(plane * g.InputPlane, g.InputPlane);
            for (int i = 0; i < g.WindowHeight; i++)
            {
                for (int j = 0; j < g.WindowWidth; j++)
                {
                    int row = (c * g.WindowHeight + i) * g.WindowWidth + j;
                    var (owFirst, owEnd) = ValidOutputRange(j, g.StrideWidth, g.PadLeft, g.Width, g.OutputWidth);
                    for (int oh = 0; oh < g.OutputHeight; oh++)
                    {
                        int h = oh * g.StrideHeight - g.PadTop + i;
                        if ((uint)h >= (uint)g.Height) continue;
                        ReadOnlySpan<float> source = dCol.Slice(row * columns
                            + (n * g.OutputHeight + oh) * g.OutputWidth, g.OutputWidth);
                        int imageRow = h * g.Width - g.PadLeft + j;
                        if (g.StrideWidth == 1)
                        {
                            // Contiguous: the add vectorises.
                            Span<float> target = image.Slice(imageRow + owFirst, owEnd - owFirst);
                            System.Numerics.Tensors.TensorPrimitives.Add(target, source[owFirst..owEnd], target);
                        }
                        else
                        {
                            for (int ow = owFirst; ow < owEnd; ow++) image[imageRow + ow * g.StrideWidth] += source[ow];
                        }
                    }
                }
            }
        }
    }

    /// <summary>y [b, a, inner] = x [a, b, inner].</summary>
    public static void SwapLeadingAxes(float[] x, int a, int b, int inner, float[] y)
    {
        long length = (long)a * b * inner;
        BufferChecks.CheckLength(x, length, nameof(x));
        BufferChecks.CheckLength(y, length, nameof(y));
        CpuParallel.For(a, (long)b * inner, (x, a, b, inner, y),
            static (in (float[] X, int A, int B, int Inner, float[] Y) s, int first, int last) =>
        {
            for (int p = first; p < last; p++)
            {
                for (int q = 0; q < s.B; q++)
                    s.X.AsSpan((p * s.B + q) * s.Inner, s.Inner).CopyTo(s.Y.AsSpan((q * s.A + p) * s.Inner, s.Inner));
            }
        });
    }

    /// <summary>y[n, c, s] += bias[c].</summary>
    public static void AddChannelBias(float[] bias, int batch, int channels, int spatial, float[] y)
    {
        BufferChecks.CheckLength(y, (long)batch * channels * spatial, nameof(y));
        CpuParallel.For(batch * channels, spatial, (bias, channels, spatial, y),
            static (in (float[] Bias, int Channels, int Spatial, float[] Y) s, int first, int last) =>
        {
            for (int plane = first; plane < last; plane++)
            {
                float b = s.Bias[plane % s.Channels];
                Span<float> values = s.Y.AsSpan(plane * s.Spatial, s.Spatial);
                for (int i = 0; i < values.Length; i++) values[i] += b;
            }
        });
    }

    /// <summary>dBias[c] += Σ_n Σ_s dy[n, c, s]; a channel per work item, summed in double in a fixed
    /// order.</summary>
    public static void ChannelBiasGradient(float[] dy, int batch, int channels, int spatial, float[] dBias)
    {
        BufferChecks.CheckLength(dy, (long)batch * channels * spatial, nameof(dy));
        CpuParallel.For(channels, (long)batch * spatial, (dy, batch, channels, spatial, dBias),
            static (in (float[] Dy, int Batch, int Channels, int Spatial, float[] DBias) s, int first, int last) =>
        {
            for (int c = first; c < last; c++)
            {
                double sum = 0;
                for (int n = 0; n < s.Batch; n++)
                {
                    ReadOnlySpan<float> values = s.Dy.AsSpan((n * s.Channels + c) * s.Spatial, s.Spatial);
                    for (int i = 0; i < values.Length; i++) sum += values[i];
                }
                s.DBias[c] += (float)sum;
            }
        });
    }

    /// <summary>The output columns [first, end) whose window column j falls inside the image.</summary>
    internal static (int First, int End) ValidOutputRange(int j, int stride, int padLeft, int width, int outputWidth)
    {
        // w = ow·stride − padLeft + j must lie in [0, width).
        int first = Math.Max(0, (padLeft - j + stride - 1) / stride);
        int end = Math.Min(outputWidth, (width - 1 + padLeft - j) / stride + 1);
        if (width - 1 + padLeft - j < 0) end = 0;
        return (first, Math.Max(first, end));
    }
}
