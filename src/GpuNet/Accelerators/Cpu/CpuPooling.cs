namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// Max, average and L2 pooling over NCHW images. Each (image, channel) plane is one work item,
/// so a backward pass that adds into overlapping windows never has two threads on one pixel.
/// </summary>
internal static class CpuPooling
{
    public static void MaxForward(float[] x, Window2D g, float[] y, float[] argmax)
    {
        Check(x, y, g);
        CpuConvolution.CheckLength(argmax, (long)g.Batch * g.Channels * g.OutputPlane, nameof(argmax));
        ForPlanes(g, (plane, input, outputOffset) =>
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                var (hFirst, hEnd) = Rows(g, oh);
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    var (wFirst, wEnd) = Columns(g, ow);
                    // Strict '>' from the first element keeps the first maximum on ties, in row-major window order.
                    int best = hFirst * g.Width + wFirst;
                    float bestValue = input[best];
                    for (int h = hFirst; h < hEnd; h++)
                    {
                        for (int w = wFirst; w < wEnd; w++)
                        {
                            float value = input[h * g.Width + w];
                            if (value > bestValue)
                            {
                                bestValue = value;
                                best = h * g.Width + w;
                            }
                        }
                    }
                    int o = outputOffset + oh * g.OutputWidth + ow;
                    y[o] = bestValue;
                    argmax[o] = best;
                }
            }
        }, x);
    }

    public static void MaxBackward(float[] dy, float[] argmax, Window2D g, float[] dx)
    {
        Check(dx, dy, g);
        CpuParallel.For(g.Batch * g.Channels, g.OutputPlane, (first, last) =>
        {
            for (int plane = first; plane < last; plane++)
            {
                int inputOffset = plane * g.InputPlane, outputOffset = plane * g.OutputPlane;
                for (int o = 0; o < g.OutputPlane; o++) dx[inputOffset + (int)argmax[outputOffset + o]] += dy[outputOffset + o];
            }
        });
    }

    public static void AverageForward(float[] x, Window2D g, float[] y)
    {
        Check(x, y, g);
        ForPlanes(g, (plane, input, outputOffset) =>
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                var (hFirst, hEnd) = Rows(g, oh);
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    var (wFirst, wEnd) = Columns(g, ow);
                    float sum = 0f;
                    for (int h = hFirst; h < hEnd; h++)
                        for (int w = wFirst; w < wEnd; w++) sum += input[h * g.Width + w];
                    y[outputOffset + oh * g.OutputWidth + ow] = sum / ((hEnd - hFirst) * (wEnd - wFirst));
                }
            }
        }, x);
    }

    public static void AverageBackward(float[] dy, Window2D g, float[] dx)
    {
        Check(dx, dy, g);
        CpuParallel.For(g.Batch * g.Channels, (long)g.OutputPlane * g.WindowSize, (first, last) =>
        {
            for (int plane = first; plane < last; plane++)
            {
                Span<float> image = dx.AsSpan(plane * g.InputPlane, g.InputPlane);
                int outputOffset = plane * g.OutputPlane;
                for (int oh = 0; oh < g.OutputHeight; oh++)
                {
                    var (hFirst, hEnd) = Rows(g, oh);
                    for (int ow = 0; ow < g.OutputWidth; ow++)
                    {
                        var (wFirst, wEnd) = Columns(g, ow);
                        float share = dy[outputOffset + oh * g.OutputWidth + ow] / ((hEnd - hFirst) * (wEnd - wFirst));
                        for (int h = hFirst; h < hEnd; h++)
                            for (int w = wFirst; w < wEnd; w++) image[h * g.Width + w] += share;
                    }
                }
            }
        });
    }

    public static void L2Forward(float[] x, Window2D g, float[] y)
    {
        Check(x, y, g);
        ForPlanes(g, (plane, input, outputOffset) =>
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                var (hFirst, hEnd) = Rows(g, oh);
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    var (wFirst, wEnd) = Columns(g, ow);
                    float sum = 0f;
                    for (int h = hFirst; h < hEnd; h++)
                    {
                        for (int w = wFirst; w < wEnd; w++)
                        {
                            float value = input[h * g.Width + w];
                            sum += value * value;
                        }
                    }
                    y[outputOffset + oh * g.OutputWidth + ow] = MathF.Sqrt(sum);
                }
            }
        }, x);
    }

    public static void L2Backward(float[] x, float[] y, float[] dy, Window2D g, float[] dx)
    {
        Check(x, y, g);
        Check(dx, dy, g);
        CpuParallel.For(g.Batch * g.Channels, (long)g.OutputPlane * g.WindowSize, (first, last) =>
        {
            for (int plane = first; plane < last; plane++)
            {
                ReadOnlySpan<float> input = x.AsSpan(plane * g.InputPlane, g.InputPlane);
                Span<float> image = dx.AsSpan(plane * g.InputPlane, g.InputPlane);
                int outputOffset = plane * g.OutputPlane;
                for (int oh = 0; oh < g.OutputHeight; oh++)
                {
                    var (hFirst, hEnd) = Rows(g, oh);
                    for (int ow = 0; ow < g.OutputWidth; ow++)
                    {
                        int o = outputOffset + oh * g.OutputWidth + ow;
                        // √ has no derivative at 0; a window of zeros passes no gradient, as ReLU at 0.
                        if (y[o] == 0f) continue;
                        float factor = dy[o] / y[o];
                        var (wFirst, wEnd) = Columns(g, ow);
                        for (int h = hFirst; h < hEnd; h++)
                            for (int w = wFirst; w < wEnd; w++) image[h * g.Width + w] += factor * input[h * g.Width + w];
                    }
                }
            }
        });
    }

    // The window's rows inside the image for output row oh: padding is left out, not read as zeros.
    private static (int First, int End) Rows(Window2D g, int oh)
    {
        int start = oh * g.StrideHeight - g.PadTop;
        return (Math.Max(0, start), Math.Min(g.Height, start + g.WindowHeight));
    }

    private static (int First, int End) Columns(Window2D g, int ow)
    {
        int start = ow * g.StrideWidth - g.PadLeft;
        return (Math.Max(0, start), Math.Min(g.Width, start + g.WindowWidth));
    }

    private delegate void PlaneBody(int plane, ReadOnlySpan<float> input, int outputOffset);

    private static void ForPlanes(Window2D g, PlaneBody body, float[] x) =>
        CpuParallel.For(g.Batch * g.Channels, (long)g.OutputPlane * g.WindowSize, (first, last) =>
        {
            for (int plane = first; plane < last; plane++) body(plane, x.AsSpan(plane * g.InputPlane, g.InputPlane), plane * g.OutputPlane);
        });

    private static void Check(float[] input, float[] output, Window2D g)
    {
        g.Validate();
        CpuConvolution.CheckLength(input, g.InputLength, "x");
        CpuConvolution.CheckLength(output, (long)g.Batch * g.Channels * g.OutputPlane, "y");
    }
}
