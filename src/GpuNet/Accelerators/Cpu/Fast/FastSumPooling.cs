using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Contracts;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// Average and L2 pooling, the two that sum over their window, as the CPU accelerator runs them
/// on AVX2 (AVX-512 machines included): eight neighbouring windows of an output row side by side
/// in a vector, each lane adding its window's elements in the reference's row-major order, so
/// that every output and gradient agrees with <see cref="ReferencePooling"/> bit for bit.
/// </summary>
/// <remarks>
/// Windows that lie across the left or right border (clipped, or over padding), and the last
/// windows of a row that fill no vector, take the reference's per-window code. A window's column
/// of elements is one load at stride 1, and a gather at other strides. The backward is
/// vectorised where the windows neither overlap nor leave gaps along a row (stride = width, as
/// in the usual 2×2 pooling): each pixel then gets one window's share per output row, in the
/// reference's order of output rows; other strides run the reference.
/// </remarks>
internal static unsafe class FastSumPooling
{
    private const int Lanes = 8;

    /// <summary>Whether the vector paths run here; elsewhere every call is the reference's.</summary>
    public static bool IsVectorised => Avx2.IsSupported;

    public static void AverageForward(float[] x, Window2D g, float[] y) => Forward(x, g, y, squares: false);

    public static void L2Forward(float[] x, Window2D g, float[] y) => Forward(x, g, y, squares: true);

    /// <summary>dx += dy / count, spread over each window's elements inside the image.</summary>
    public static void AverageBackward(float[] dy, Window2D g, float[] dx)
    {
        if (!IsVectorised || !RowsTile(g))
        {
            ReferencePooling.AverageBackward(dy, g, dx);
            return;
        }
        BufferChecks.CheckPooling(dx, dy, g);
        ReferencePooling.ForPlanes(g, (dy, dx), static (in (float[] Dy, float[] Dx) s, in Window2D g, int plane) =>
        {
            fixed (float* dy = s.Dy, dx = s.Dx)
                BackwardPlane(null, null, dy + (nint)plane * g.OutputPlane, g, dx + (nint)plane * g.InputPlane);
        });
    }

    /// <summary>
    /// dx += dy · x / y over each window, given y from <see cref="L2Forward"/>; nothing where y = 0.
    /// </summary>
    public static void L2Backward(float[] x, float[] y, float[] dy, Window2D g, float[] dx)
    {
        if (!IsVectorised || !RowsTile(g))
        {
            ReferencePooling.L2Backward(x, y, dy, g, dx);
            return;
        }
        BufferChecks.CheckPooling(x, y, g);
        BufferChecks.CheckPooling(dx, dy, g);
        ReferencePooling.ForPlanes(g, (x, y, dy, dx), static (in (float[] X, float[] Y, float[] Dy, float[] Dx) s,
            in Window2D g, int plane) =>
        {
            fixed (float* x = s.X, y = s.Y, dy = s.Dy, dx = s.Dx)
            {
                nint input = (nint)plane * g.InputPlane, output = (nint)plane * g.OutputPlane;
                BackwardPlane(x + input, y + output, dy + output, g, dx + input);
            }
        });
    }

    /// <summary>Windows side by side along a row, touching but not overlapping: stride = window width.</summary>
    internal static bool RowsTile(in Window2D g) => g.StrideWidth == g.WindowWidth;

    private static void Forward(float[] x, Window2D g, float[] y, bool squares)
    {
        if (!IsVectorised)
        {
            if (squares) ReferencePooling.L2Forward(x, g, y);
            else ReferencePooling.AverageForward(x, g, y);
            return;
        }
        BufferChecks.CheckPooling(x, y, g);
        ReferencePooling.ForPlanes(g, (x, y, squares), static (in (float[] X, float[] Y, bool Squares) s, in Window2D g,
            int plane) =>
        {
            fixed (float* x = s.X, y = s.Y)
                ForwardPlane(x + (nint)plane * g.InputPlane, g, y + (nint)plane * g.OutputPlane, s.Squares);
        });
    }

    /// <summary>The outputs [first, end) of a row whose windows lie wholly inside the image's columns.</summary>
    private static (int First, int End) InsideColumns(in Window2D g)
    {
        int first = (g.PadLeft + g.StrideWidth - 1) / g.StrideWidth;
        int end = g.Width + g.PadLeft < g.WindowWidth ? 0 : (g.Width + g.PadLeft - g.WindowWidth) / g.StrideWidth + 1;
        return (Math.Min(first, g.OutputWidth), Math.Clamp(end, first, g.OutputWidth));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardPlane(float* input, Window2D g, float* y, bool squares)
    {
        var plane = new ReadOnlySpan<float>(input, g.InputPlane);
        var (first, end) = InsideColumns(g);
        int vectorEnd = first + (end - first) / Lanes * Lanes;
        Vector256<int> columns = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * Vector256.Create(g.StrideWidth);
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            float* outputs = y + oh * g.OutputWidth;
            var (hFirst, hEnd) = ReferencePooling.Rows(g, oh);
            var count = Vector256.Create((float)((hEnd - hFirst) * g.WindowWidth));
            for (int ow = first; ow < vectorEnd; ow += Lanes)
            {
                Vector256<float> sum = Vector256<float>.Zero;
                for (int h = hFirst; h < hEnd; h++)
                {
                    float* left = input + h * g.Width + ow * g.StrideWidth - g.PadLeft;
                    for (int j = 0; j < g.WindowWidth; j++)
                    {
                        Vector256<float> value = g.StrideWidth == 1
                            ? Vector256.Load(left + j)
                            : Avx2.GatherVector256(left + j, columns, 4);
                        sum += squares ? value * value : value;
                    }
                }
                Vector256.Store(squares ? Vector256.Sqrt(sum) : sum / count, outputs + ow);
            }
            // The windows left of the vectors and right of them.
            for (int ow = first > 0 ? 0 : vectorEnd; ow < g.OutputWidth; ow = ow + 1 == first ? vectorEnd : ow + 1)
                outputs[ow] = squares ? ReferencePooling.L2At(plane, g, oh, ow)
                    : ReferencePooling.AverageAt(plane, g, oh, ow);
        }
    }

    /// <summary>
    /// dx plane += the average pooling's gradient (input and y null) or the L2 pooling's, for
    /// windows that tile the rows (<see cref="RowsTile"/>): the eight windows of a vector cover
    /// 8·kw consecutive pixels, pixel p of them window p / kw's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardPlane(float* input, float* y, float* dy, Window2D g, float* dx)
    {
        var dxPlane = new Span<float>(dx, g.InputPlane);
        var inputPlane = input is null ? default : new ReadOnlySpan<float>(input, g.InputPlane);
        var (first, end) = InsideColumns(g);
        int vectorEnd = first + (end - first) / Lanes * Lanes, kw = g.WindowWidth;
        // Which of the eight windows each lane of the q-th eight pixels belongs to.
        Span<int> owners = stackalloc int[kw * Lanes];
        for (int p = 0; p < owners.Length; p++) owners[p] = p / kw;
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            var (hFirst, hEnd) = ReferencePooling.Rows(g, oh);
            var count = Vector256.Create((float)((hEnd - hFirst) * kw));
            for (int ow = first; ow < vectorEnd; ow += Lanes)
            {
                int o = oh * g.OutputWidth + ow;
                Vector256<float> factor, skip = Vector256<float>.Zero;
                if (y is null)
                {
                    factor = Vector256.Load(dy + o) / count;
                }
                else
                {
                    Vector256<float> outputs = Vector256.Load(y + o);
                    factor = Vector256.Load(dy + o) / outputs;
                    skip = Vector256.Equals(outputs, Vector256<float>.Zero);
                }
                for (int h = hFirst; h < hEnd; h++)
                {
                    nint left = h * g.Width + ow * g.StrideWidth - g.PadLeft;
                    for (int q = 0; q < kw; q++)
                    {
                        Vector256<int> owner = Vector256.Create<int>(owners.Slice(q * Lanes, Lanes));
                        float* pixels = dx + left + q * Lanes;
                        Vector256<float> share = Avx2.PermuteVar8x32(factor, owner), before = Vector256.Load(pixels);
                        if (y is null)
                        {
                            Vector256.Store(before + share, pixels);
                            continue;
                        }
                        Vector256<float> after = before + share * Vector256.Load(input + left + q * Lanes);
                        Vector256.Store(Vector256.ConditionalSelect(Avx2.PermuteVar8x32(skip, owner), before, after),
                            pixels);
                    }
                }
            }
            for (int ow = first > 0 ? 0 : vectorEnd; ow < g.OutputWidth; ow = ow + 1 == first ? vectorEnd : ow + 1)
            {
                int o = oh * g.OutputWidth + ow;
                if (y is null) ReferencePooling.AverageBackwardAt(dy[o], g, oh, ow, dxPlane);
                else ReferencePooling.L2BackwardAt(inputPlane, y[o], dy[o], g, oh, ow, dxPlane);
            }
        }
    }
}
