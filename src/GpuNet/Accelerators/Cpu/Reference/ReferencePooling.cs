using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>
/// Max, average and L2 pooling over NCHW images. Each (image, channel) plane is one work item,
/// so a backward pass that adds into overlapping windows never has two threads on one pixel.
/// Windows are clipped to the image: padding is left out, never read as zeros. These are the plain
/// references; the accelerator runs <see cref="Fast.FastMaxPooling"/> and <see cref="Fast.FastSumPooling"/>.
/// </summary>
internal static class ReferencePooling
{
    public static void MaxForward(float[] x, Window2D g, float[] y, float[] argmax)
    {
        BufferChecks.CheckPooling(x, y, g);
        BufferChecks.CheckLength(argmax, (long)g.Batch * g.Channels * g.OutputPlane, nameof(argmax));
        ForPlanes(g, (x, y, argmax), static (in (float[] X, float[] Y, float[] Argmax) s, in Window2D g, int plane) =>
            MaxPlane(s.X.AsSpan(plane * g.InputPlane, g.InputPlane), g,
                s.Y.AsSpan(plane * g.OutputPlane, g.OutputPlane),
                    s.Argmax.AsSpan(plane * g.OutputPlane, g.OutputPlane)));
    }

    public static void MaxBackward(float[] dy, float[] argmax, Window2D g, float[] dx)
    {
        BufferChecks.CheckPooling(dx, dy, g);
        ForPlanes(g, (dy, argmax, dx),
            static (in (float[] Dy, float[] Argmax, float[] Dx) s, in Window2D g, int plane) =>
            MaxPlaneBackward(s.Dy.AsSpan(plane * g.OutputPlane, g.OutputPlane),
                s.Argmax.AsSpan(plane * g.OutputPlane, g.OutputPlane),
                    s.Dx.AsSpan(plane * g.InputPlane, g.InputPlane)));
    }

    public static void AverageForward(float[] x, Window2D g, float[] y)
    {
        BufferChecks.CheckPooling(x, y, g);
        ForPlanes(g, (x, y), static (in (float[] X, float[] Y) s, in Window2D g, int plane) =>
            AveragePlane(s.X.AsSpan(plane * g.InputPlane, g.InputPlane), g,
                s.Y.AsSpan(plane * g.OutputPlane, g.OutputPlane)));
    }

    public static void AverageBackward(float[] dy, Window2D g, float[] dx)
    {
        BufferChecks.CheckPooling(dx, dy, g);
        ForPlanes(g, (dy, dx), static (in (float[] Dy, float[] Dx) s, in Window2D g, int plane) =>
            AveragePlaneBackward(s.Dy.AsSpan(plane * g.OutputPlane, g.OutputPlane), g,
                s.Dx.AsSpan(plane * g.InputPlane, g.InputPlane)));
    }

    public static void L2Forward(float[] x, Window2D g, float[] y)
    {
        BufferChecks.CheckPooling(x, y, g);
        ForPlanes(g, (x, y), static (in (float[] X, float[] Y) s, in Window2D g, int plane) =>
            L2Plane(s.X.AsSpan(plane * g.InputPlane, g.InputPlane), g,
                s.Y.AsSpan(plane * g.OutputPlane, g.OutputPlane)));
    }

    public static void L2Backward(float[] x, float[] y, float[] dy, Window2D g, float[] dx)
    {
        BufferChecks.CheckPooling(x, y, g);
        BufferChecks.CheckPooling(dx, dy, g);
        ForPlanes(g, (x, y, dy, dx),
            static (in (float[] X, float[] Y, float[] Dy, float[] Dx) s, in Window2D g, int plane) =>
            L2PlaneBackward(s.X.AsSpan(plane * g.InputPlane, g.InputPlane),
                s.Y.AsSpan(plane * g.OutputPlane, g.OutputPlane),
                s.Dy.AsSpan(plane * g.OutputPlane, g.OutputPlane), g, s.Dx.AsSpan(plane * g.InputPlane, g.InputPlane)));
    }

    internal static void MaxPlane(ReadOnlySpan<float> input, in Window2D g, Span<float> y, Span<float> argmax)
    {
        int width = g.Width;
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            var (hFirst, hEnd) = Rows(g, oh);
            for (int ow = 0; ow < g.OutputWidth; ow++)
            {
                var (wFirst, wEnd) = Columns(g, ow);
                // Strict '>' from the first element keeps the first maximum on ties, in row-major window order.
                int best = hFirst * width + wFirst;
                float bestValue = input[best];
                for (int h = hFirst; h < hEnd; h++)
                {
                    for (int w = wFirst; w < wEnd; w++)
                    {
                        float value = input[h * width + w];
                        if (value > bestValue)
                        {
                            bestValue = value;
                            best = h * width + w;
                        }
                    }
                }
                int o = oh * g.OutputWidth + ow;
                y[o] = bestValue;
                argmax[o] = best;
            }
        }
    }

    private static void AveragePlane(ReadOnlySpan<float> input, in Window2D g, Span<float> y)
    {
        for (int oh = 0; oh < g.OutputHeight; oh++)
            for (int ow = 0; ow < g.OutputWidth; ow++) y[oh * g.OutputWidth + ow] = AverageAt(input, g, oh, ow);
    }

    /// <summary>The mean of window (oh, ow) over its elements inside the image, summed in row-major window
    /// order.</summary>
    internal static float AverageAt(ReadOnlySpan<float> input, in Window2D g, int oh, int ow) =>
        WindowSum(input, g, oh, ow, squares: false, out int count) / count;

    private static void AveragePlaneBackward(ReadOnlySpan<float> dy, in Window2D g, Span<float> dx)
    {
        for (int oh = 0; oh < g.OutputHeight; oh++)
            for (int ow = 0; ow < g.OutputWidth; ow++) AverageBackwardAt(dy[oh * g.OutputWidth + ow], g, oh, ow, dx);
    }

    /// <summary>dx += the share of window (oh, ow)'s gradient <paramref name="gradient"/> on each of its
    /// elements.</summary>
    internal static void AverageBackwardAt(float gradient, in Window2D g, int oh, int ow, Span<float> dx)
    {
        var (hFirst, hEnd) = Rows(g, oh);
        var (wFirst, wEnd) = Columns(g, ow);
        float share = gradient / ((hEnd - hFirst) * (wEnd - wFirst));
        for (int h = hFirst; h < hEnd; h++)
            for (int w = wFirst; w < wEnd; w++) dx[h * g.Width + w] += share;
    }

    private static void L2Plane(ReadOnlySpan<float> input, in Window2D g, Span<float> y)
    {
        for (int oh = 0; oh < g.OutputHeight; oh++)
            for (int ow = 0; ow < g.OutputWidth; ow++) y[oh * g.OutputWidth + ow] = L2At(input, g, oh, ow);
    }

    /// <summary>√(Σ x²) over window (oh, ow), summed in row-major window order.</summary>
    internal static float L2At(ReadOnlySpan<float> input, in Window2D g, int oh, int ow) =>
        MathF.Sqrt(WindowSum(input, g, oh, ow, squares: true, out _));

    /// <summary>Σ x (or Σ x²) over the elements of window (oh, ow) inside the image, in row-major window order,
    /// and how many there are.</summary>
    private static float WindowSum(ReadOnlySpan<float> input, in Window2D g, int oh, int ow, bool squares,
        out int count)
    {
        var (hFirst, hEnd) = Rows(g, oh);
        var (wFirst, wEnd) = Columns(g, ow);
        float sum = 0f;
        for (int h = hFirst; h < hEnd; h++)
        {
            for (int w = wFirst; w < wEnd; w++)
            {
                float value = input[h * g.Width + w];
                sum += squares ? value * value : value;
            }
        }
        count = (hEnd - hFirst) * (wEnd - wFirst);
        return sum;
    }

    private static void L2PlaneBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> y, ReadOnlySpan<float> dy,
        in Window2D g, Span<float> dx)
    {
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            for (int ow = 0; ow < g.OutputWidth; ow++)
            {
                int o = oh * g.OutputWidth + ow;
                L2BackwardAt(input, y[o], dy[o], g, oh, ow, dx);
            }
        }
    }

    /// <summary>dx += dy · x / y over window (oh, ow), given its output y; nothing where y = 0.</summary>
    internal static void L2BackwardAt(ReadOnlySpan<float> input, float y, float dy, in Window2D g, int oh, int ow,
        Span<float> dx)
    {
        // √ has no derivative at 0; a window of zeros passes no gradient, as ReLU at 0.
        if (y == 0f) return;
        float factor = dy / y;
        var (hFirst, hEnd) = Rows(g, oh);
        var (wFirst, wEnd) = Columns(g, ow);
        for (int h = hFirst; h < hEnd; h++)
            for (int w = wFirst; w < wEnd; w++) dx[h * g.Width + w] += factor * input[h * g.Width + w];
    }

    // The window's rows inside the image for output row oh.
    internal static (int First, int End) Rows(in Window2D g, int oh)
    {
        int start = oh * g.StrideHeight - g.PadTop;
        return (Math.Max(0, start), Math.Min(g.Height, start + g.WindowHeight));
    }

    internal static (int First, int End) Columns(in Window2D g, int ow)
    {
        int start = ow * g.StrideWidth - g.PadLeft;
        return (Math.Max(0, start), Math.Min(g.Width, start + g.WindowWidth));
    }

    /// <summary>One (image, channel) plane of a pooling kernel, with the kernel's buffers in <paramref
    /// name="state"/>.</summary>
    internal delegate void PlaneBody<TState>(in TState state, in Window2D g, int plane);

    /// <summary>Runs <paramref name="body"/> on every plane of <paramref name="g"/>, planes split across
    /// threads.</summary>
    internal static void ForPlanes<TState>(Window2D g, in TState state, PlaneBody<TState> body) =>
        CpuParallel.For(g.Batch * g.Channels, (long)g.OutputPlane * g.WindowSize, (state, g, body),
            static (in (TState State, Window2D G, PlaneBody<TState> Body) s, int first, int last) =>
            {
                for (int p = first; p < last; p++) s.Body(in s.State, in s.G, p);
            });

    internal static void MaxPlaneBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> argmax, Span<float> dx)
    {
        for (int o = 0; o < dy.Length; o++) dx[(int)argmax[o]] += dy[o];
    }
}
