using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// Max pooling as the CPU accelerator runs it, optionally with the ReLU the execution plan moved
/// behind it. The common 2×2 window at stride 2 with no window over the border runs sixteen
/// outputs at a time on AVX-512, eight on AVX2: permutes split a row's even and odd columns, and
/// selects replace the reference's data-dependent branches, comparing in the reference's
/// row-major window order with a strict '>', so values and arg-max agree bit for bit (ties and
/// NaN included). The end of a row that fills no whole vector (12 and 4 outputs in the MNIST
/// CNNs) is one masked vector. Where the windows tile the image exactly, the backward writes
/// each row of dx once, the gradient where the arg-max points and zero elsewhere, instead of
/// clearing the plane and adding into it. Other windows, and CPUs without AVX2, run the
/// reference <see cref="ReferencePooling"/>. Every entry takes the vector width (<see cref="SimdWidth"/>)
/// so that tests run both paths on an AVX-512 machine.
/// </summary>
internal static unsafe class FastMaxPooling
{
    /// <param name="relu">y = ReLU(max), as the reference ReLU: x &gt; 0 ? x : 0.</param>
    /// <param name="width">The vector path, in bits (<see cref="SimdWidth"/>): 512, 256, or 0 for the
    /// reference.</param>
    public static void MaxForward(float[] x, Window2D g, float[] y, float[] argmax, bool relu = false,
        int? width = null)
    {
        int bits = width ?? SimdWidth.Best;
        SimdWidth.Require(bits, "max pooling");
        g.Validate();
        BufferChecks.CheckLength(x, g.InputLength, nameof(x));
        BufferChecks.CheckLength(y, (long)g.Batch * g.Channels * g.OutputPlane, nameof(y));
        BufferChecks.CheckLength(argmax, (long)g.Batch * g.Channels * g.OutputPlane, nameof(argmax));
        CpuParallel.For(g.Batch * g.Channels, PlaneWork(g), (x, y, argmax, g, relu, bits),
            static (in (float[] X, float[] Y, float[] Argmax, Window2D G, bool Relu, int Width) s, int first,
                int last) =>
            {
                Window2D g = s.G;
                fixed (float* x = s.X, y = s.Y, argmax = s.Argmax)
                {
                    for (int plane = first; plane < last; plane++)
                        MaxPlane(x + (nint)plane * g.InputPlane, g, y + (nint)plane * g.OutputPlane,
                            argmax + (nint)plane * g.OutputPlane, s.Relu, s.Width);
                }
            });
    }

    /// <summary>
    /// dx (+)= the gradient of max pooling: dy[o] onto x[argmax[o]] of its plane, times
    /// (reluOutput[o] &gt; 0) where the pooling applied a ReLU (reluOutput is then its y).
    /// </summary>
    /// <param name="set">dx = …: every plane of dx is written whole, rather than added to.</param>
    public static void MaxBackward(float[] dy, float[] argmax, Window2D g, float[] dx, bool set,
        float[]? reluOutput = null, int? width = null)
    {
        int bits = width ?? SimdWidth.Best;
        SimdWidth.Require(bits, "max pooling");
        g.Validate();
        long outputs = (long)g.Batch * g.Channels * g.OutputPlane;
        BufferChecks.CheckLength(dy, outputs, nameof(dy));
        BufferChecks.CheckLength(argmax, outputs, nameof(argmax));
        BufferChecks.CheckLength(dx, g.InputLength, nameof(dx));
        if (reluOutput is not null) BufferChecks.CheckLength(reluOutput, outputs, nameof(reluOutput));
        CpuParallel.For(g.Batch * g.Channels, PlaneWork(g), (dy, argmax, dx, reluOutput, g, set, bits),
            static (in (float[] Dy, float[] Argmax, float[] Dx, float[]? Relu, Window2D G, bool Set, int Width) s,
                int first, int last) =>
            {
                Window2D g = s.G;
                fixed (float* dy = s.Dy, argmax = s.Argmax, dx = s.Dx, relu = s.Relu)
                {
                    for (int plane = first; plane < last; plane++)
                    {
                        float* dyPlane = dy + (nint)plane * g.OutputPlane, where = argmax + (nint)plane * g.OutputPlane;
                        float* reluPlane = relu is null ? null : relu + (nint)plane * g.OutputPlane;
                        float* dxPlane = dx + (nint)plane * g.InputPlane;
                        if (s.Set) MaxPlaneBackward(dyPlane, where, reluPlane, g, dxPlane, s.Width);
                        else AddPlaneGradient(dyPlane, where, reluPlane, g, dxPlane);
                    }
                }
            });
    }

    /// <summary>One plane of <see cref="MaxForward"/>, for any window: vectorised where it can be, else the
    /// reference's.</summary>
    internal static void MaxPlane(float* input, Window2D g, float* y, float* argmax, bool relu, int width)
    {
        if (IsUnclippedTwoByTwo(g) && width == 512)
        {
            MaxPlaneTwoByTwo(input, g, y, argmax, relu);
            return;
        }
        if (IsUnclippedTwoByTwo(g) && width == 256)
        {
            MaxPlaneTwoByTwo256(input, g, y, argmax, relu);
            return;
        }
        var values = new Span<float>(y, g.OutputPlane);
        ReferencePooling.MaxPlane(new ReadOnlySpan<float>(input, g.InputPlane), g, values,
            new Span<float>(argmax, g.OutputPlane));
        if (relu) ReferenceActivations.Forward(ActivationKind.Relu, 0f, values, values);
    }

    /// <summary>dx plane = the gradient of one plane of max pooling (times reluOutput &gt; 0 where given), zero where
    /// no maximum was.</summary>
    internal static void MaxPlaneBackward(float* dy, float* argmax, float* reluOutput, Window2D g, float* dx, int width)
    {
        if (TilesExactly(g) && width == 512)
        {
            MaxPlaneBackwardTwoByTwo(dy, argmax, reluOutput, g, dx);
            return;
        }
        if (TilesExactly(g) && width == 256)
        {
            MaxPlaneBackwardTwoByTwo256(dy, argmax, reluOutput, g, dx);
            return;
        }
        new Span<float>(dx, g.InputPlane).Clear();
        AddPlaneGradient(dy, argmax, reluOutput, g, dx);
    }

    private static void AddPlaneGradient(float* dy, float* argmax, float* reluOutput, Window2D g, float* dx)
    {
        for (int o = 0; o < g.OutputPlane; o++)
            dx[(int)argmax[o]] += reluOutput is null || reluOutput[o] > 0f ? dy[o] : 0f;
    }

    /// <summary>A 2×2 window at stride 2 whose every window lies wholly inside the image.</summary>
    internal static bool IsUnclippedTwoByTwo(in Window2D g) =>
        g is { WindowHeight: 2, WindowWidth: 2, StrideHeight: 2, StrideWidth: 2, PadTop: 0, PadLeft: 0 }
        && 2 * g.OutputHeight <= g.Height && 2 * g.OutputWidth <= g.Width;

    /// <summary>Unclipped 2×2 windows that cover every pixel: each pixel lies in exactly one window.</summary>
    internal static bool TilesExactly(in Window2D g) =>
        IsUnclippedTwoByTwo(g) && 2 * g.OutputHeight == g.Height && 2 * g.OutputWidth == g.Width;

    /// <summary>A plane's cost in multiply-adds for the thread split: pooling moves memory, about four multiply-adds'
    /// time per pixel.</summary>
    private static long PlaneWork(in Window2D g) => 4L * g.InputPlane;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPlaneTwoByTwo(float* input, Window2D g, float* y, float* argmax, bool relu)
    {
        int width = g.Width, outputWidth = g.OutputWidth;
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            int top = 2 * oh * width;
            float* values = y + oh * outputWidth, where = argmax + oh * outputWidth;
            for (int ow = 0; ow < outputWidth; ow += 16)
            {
                int count = Math.Min(16, outputWidth - ow);
                var (best, bestIndex) = SixteenWindows(input, top + 2 * ow, width, count);
                if (relu)
                    best = Vector512.ConditionalSelect(Vector512.GreaterThan(best, Vector512<float>.Zero), best,
                        Vector512<float>.Zero);
                Vector512<float> index = Vector512.ConvertToSingle(bestIndex);
                if (count == 16)
                {
                    Vector512.Store(best, values + ow);
                    Vector512.Store(index, where + ow);
                }
                else
                {
                    Vector512<float> lanes = FirstLanes(count);
                    Avx512F.MaskStore(values + ow, lanes, best);
                    Avx512F.MaskStore(where + ow, lanes, index);
                }
            }
        }
    }

    /// <summary>
    /// The maxima and their plane offsets of the windows whose top-left corners are first,
    /// first + 2, … (count ≤ 16 of them); reads 2·count floats of each of the two rows, the
    /// lanes past count are not meant to be used.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Best, Vector512<int> Where) SixteenWindows(float* plane, int first, int width,
        int count)
    {
        var evens = WindowColumns;
        var odds = evens + Vector512<int>.One;
        float* topLeft = plane + first, bottomLeft = topLeft + width;
        Vector512<float> a0, a1, b0, b1;
        if (count == 16)
        {
            (a0, a1) = (Vector512.Load(topLeft), Vector512.Load(topLeft + 16));
            (b0, b1) = (Vector512.Load(bottomLeft), Vector512.Load(bottomLeft + 16));
        }
        else
        {
            // Only the row's own 2·count floats are read, so the last row of the last plane stays inside the buffer.
            Vector512<float> low = FirstLanes(Math.Min(16, 2 * count)), high = FirstLanes(2 * count - 16);
            (a0, a1) = (Avx512F.MaskLoad(topLeft, low, Vector512<float>.Zero),
                Avx512F.MaskLoad(topLeft + 16, high, Vector512<float>.Zero));
            (b0, b1) = (Avx512F.MaskLoad(bottomLeft, low, Vector512<float>.Zero),
                Avx512F.MaskLoad(bottomLeft + 16, high, Vector512<float>.Zero));
        }
        var index = Vector512.Create(first) + evens;
        // Window order (top, left), (top, right), (bottom, left), (bottom, right).
        var best = Avx512F.PermuteVar16x32x2(a0, evens, a1);
        var bestIndex = index;
        Take(Avx512F.PermuteVar16x32x2(a0, odds, a1), index + Vector512<int>.One, ref best, ref bestIndex);
        Take(Avx512F.PermuteVar16x32x2(b0, evens, b1), index + Vector512.Create(width), ref best, ref bestIndex);
        Take(Avx512F.PermuteVar16x32x2(b0, odds, b1), index + Vector512.Create(width + 1), ref best, ref bestIndex);
        return (best, bestIndex);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector512<float> candidate, Vector512<int> index, ref Vector512<float> best,
        ref Vector512<int> bestIndex)
    {
        var greater = Vector512.GreaterThan(candidate, best);
        best = Vector512.ConditionalSelect(greater, candidate, best);
        bestIndex = Vector512.ConditionalSelect(greater.AsInt32(), index, bestIndex);
    }

    /// <summary>
    /// dx plane = the gradient of exactly tiling 2×2 windows, written row pair by row pair: each
    /// pixel gets its window's gradient if it is the window's arg-max, else zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPlaneBackwardTwoByTwo(float* dy, float* argmax, float* reluOutput, Window2D g, float* dx)
    {
        int width = g.Width, outputWidth = g.OutputWidth;
        // Lane k of a row's 32 pixels belongs to window k / 2 of the sixteen, column k % 2 of it.
        var firstPairs = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        var secondPairs = firstPairs + Vector512.Create(8);
        var column = Vector512.Create(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
        var belowColumn = column + Vector512.Create(width);
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            int top = 2 * oh * width;
            for (int ow = 0; ow < outputWidth; ow += 16)
            {
                int count = Math.Min(16, outputWidth - ow), o = oh * outputWidth + ow;
                Vector512<float> lanes = FirstLanes(count);
                // + 0 as the reference's clear-then-add does: a gradient of −0 lands as +0.
                Vector512<float> gradient = Avx512F.MaskLoad(dy + o, lanes, Vector512<float>.Zero)
                    + Vector512<float>.Zero;
                if (reluOutput is not null)
                {
                    Vector512<float> y = Avx512F.MaskLoad(reluOutput + o, lanes, Vector512<float>.Zero);
                    gradient = Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), gradient,
                        Vector512<float>.Zero);
                }
                // Where in its window each maximum was: 0, 1 (top row), width, width + 1 (bottom row).
                Vector512<int> corner = Vector512.Create(top + 2 * ow) + WindowColumns;
                Vector512<int> inWindow = Vector512.ConvertToInt32(Avx512F.MaskLoad(argmax + o, lanes,
                    Vector512<float>.Zero)) - corner;
                Vector512<float> gradientLow = Avx512F.PermuteVar16x32(gradient, firstPairs),
                    gradientHigh = Avx512F.PermuteVar16x32(gradient, secondPairs);
                Vector512<int> whereLow = Avx512F.PermuteVar16x32(inWindow, firstPairs),
                    whereHigh = Avx512F.PermuteVar16x32(inWindow, secondPairs);
                float* upper = dx + top + 2 * ow, lower = upper + width;
                StorePixels(upper, Pick(whereLow, column, gradientLow), Pick(whereHigh, column, gradientHigh),
                    2 * count);
                StorePixels(lower, Pick(whereLow, belowColumn, gradientLow), Pick(whereHigh, belowColumn, gradientHigh),
                    2 * count);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pick(Vector512<int> where, Vector512<int> pixel, Vector512<float> gradient) =>
        Vector512.ConditionalSelect(Vector512.Equals(where, pixel).AsSingle(), gradient, Vector512<float>.Zero);

    /// <summary>row [count] = the first count of the 32 lanes of low and high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePixels(float* row, Vector512<float> low, Vector512<float> high, int count)
    {
        if (count == 32)
        {
            Vector512.Store(low, row);
            Vector512.Store(high, row + 16);
            return;
        }
        Avx512F.MaskStore(row, FirstLanes(Math.Min(16, count)), low);
        Avx512F.MaskStore(row + 16, FirstLanes(count - 16), high);
    }

    /// <summary>
    /// The first column of each of sixteen side-by-side windows, relative to the first: indices into
    /// the 32 floats of two consecutive vectors, and each window's column offset in its row.
    /// </summary>
    private static Vector512<int> WindowColumns =>
        Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>A mask of the first count lanes (none for count ≤ 0, all for count ≥ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FirstLanes(int count) =>
        Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            Vector512.Create(count)).AsSingle();

    // ── The same on AVX2: eight windows a vector ──

    private static void MaxPlaneTwoByTwo256(float* input, Window2D g, float* y, float* argmax, bool relu) =>
        MaxRowsTwoByTwo256(input, g.Width, wholeVectors: false, addBias: false, 0f, g, y, argmax, relu);

    /// <summary>
    /// As <see cref="MaxPlane"/> on AVX2 for unclipped 2×2 windows, reading a plane of g's shape whose rows lie
    /// <paramref name="stride"/> floats apart and adding <paramref name="bias"/> to every value before it is
    /// compared, as if the plane had been written out with its bias first: the direct convolution pools its
    /// wide output this way (<see cref="FastDirectConvolution"/>). The arg-max is the offset in g's plane, as
    /// ever. Each row's windows are read as whole vectors, up to 14 floats past its last window: the caller's
    /// buffer must reach that far past the last row.
    /// </summary>
    internal static void MaxWideTwoByTwo256(float* input, int stride, float bias, Window2D g, float* y,
        float* argmax, bool relu) =>
        MaxRowsTwoByTwo256(input, stride, wholeVectors: true, addBias: true, bias, g, y, argmax, relu);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxRowsTwoByTwo256(float* input, int stride, bool wholeVectors, bool addBias, float bias,
        Window2D g, float* y, float* argmax, bool relu)
    {
        int width = g.Width, outputWidth = g.OutputWidth;
        var biases = Vector256.Create(bias);
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            int top = 2 * oh * width;
            float* topRow = input + (nint)2 * oh * stride;
            float* values = y + oh * outputWidth, where = argmax + oh * outputWidth;
            for (int ow = 0; ow < outputWidth; ow += 8)
            {
                int count = Math.Min(8, outputWidth - ow);
                var (best, bestIndex) = EightWindows(topRow + 2 * ow, stride, top + 2 * ow, width, count,
                    wholeVectors, addBias, biases);
                if (relu)
                    best = Vector256.ConditionalSelect(Vector256.GreaterThan(best, Vector256<float>.Zero), best,
                        Vector256<float>.Zero);
                Vector256<float> index = Vector256.ConvertToSingle(bestIndex);
                if (count == 8)
                {
                    Vector256.Store(best, values + ow);
                    Vector256.Store(index, where + ow);
                }
                else
                {
                    PartialStores.StoreFirst(values + ow, best, count);
                    PartialStores.StoreFirst(where + ow, index, count);
                }
            }
        }
    }

    /// <summary>
    /// As <see cref="SixteenWindows"/> for count ≤ 8 windows whose top-left corner is at <paramref name="topLeft"/>,
    /// their bottom row <paramref name="stride"/> floats on; first is that corner's offset in a plane of
    /// <paramref name="width"/> columns, for the arg-max. Past count, the rows are read only where
    /// <paramref name="wholeVectors"/> says they may be.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Best, Vector256<int> Where) EightWindows(float* topLeft, int stride, int first,
        int width, int count, bool wholeVectors, bool addBias, Vector256<float> bias)
    {
        float* bottomLeft = topLeft + stride;
        Vector256<float> a0, a1, b0, b1;
        if (count == 8 || wholeVectors)
        {
            (a0, a1) = (Vector256.Load(topLeft), Vector256.Load(topLeft + 8));
            (b0, b1) = (Vector256.Load(bottomLeft), Vector256.Load(bottomLeft + 8));
        }
        else
        {
            Vector256<float> low = PartialStores.FirstLanes(Math.Min(8, 2 * count)),
                high = PartialStores.FirstLanes(2 * count - 8);
            (a0, a1) = (Avx.MaskLoad(topLeft, low), Avx.MaskLoad(topLeft + 8, high));
            (b0, b1) = (Avx.MaskLoad(bottomLeft, low), Avx.MaskLoad(bottomLeft + 8, high));
        }
        if (addBias) (a0, a1, b0, b1) = (a0 + bias, a1 + bias, b0 + bias, b1 + bias);
        var (topLefts, topRights) = SplitColumns(a0, a1);
        var (bottomLefts, bottomRights) = SplitColumns(b0, b1);
        var index = Vector256.Create(first) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        // Window order (top, left), (top, right), (bottom, left), (bottom, right).
        var best = topLefts;
        var bestIndex = index;
        Take256(topRights, index + Vector256<int>.One, ref best, ref bestIndex);
        Take256(bottomLefts, index + Vector256.Create(width), ref best, ref bestIndex);
        Take256(bottomRights, index + Vector256.Create(width + 1), ref best, ref bestIndex);
        return (best, bestIndex);
    }

    /// <summary>The even and the odd columns of the sixteen floats of two vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Evens, Vector256<float> Odds) SplitColumns(Vector256<float> first,
        Vector256<float> second)
    {
        // Each vector's evens to its lower half, odds to its upper half; then the halves paired up.
        var order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        Vector256<float> p0 = Avx2.PermuteVar8x32(first, order), p1 = Avx2.PermuteVar8x32(second, order);
        return (Avx2.Permute2x128(p0, p1, 0x20), Avx2.Permute2x128(p0, p1, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take256(Vector256<float> candidate, Vector256<int> index, ref Vector256<float> best,
        ref Vector256<int> bestIndex)
    {
        var greater = Vector256.GreaterThan(candidate, best);
        best = Vector256.ConditionalSelect(greater, candidate, best);
        bestIndex = Vector256.ConditionalSelect(greater.AsInt32(), index, bestIndex);
    }

    /// <summary>As <see cref="MaxPlaneBackwardTwoByTwo"/>, eight windows (sixteen pixels of a row) at a time.</summary>
    private static void MaxPlaneBackwardTwoByTwo256(float* dy, float* argmax, float* reluOutput, Window2D g,
        float* dx) =>
        MaxWideBackwardTwoByTwo256(dy, argmax, reluOutput, g, dx, g.Width);

    /// <summary>
    /// As <see cref="MaxPlaneBackward"/> on AVX2 for 2×2 windows that tile g exactly, with the rows of dx
    /// <paramref name="stride"/> floats apart (the direct convolution's wide dy); what lies between them is left
    /// as it was.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaxWideBackwardTwoByTwo256(float* dy, float* argmax, float* reluOutput, Window2D g,
        float* dx, int stride)
    {
        int width = g.Width, outputWidth = g.OutputWidth;
        // Lane k of a row's 16 pixels belongs to window k / 2 of the eight, column k % 2 of it.
        var firstPairs = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
        var secondPairs = Vector256.Create(4, 4, 5, 5, 6, 6, 7, 7);
        var column = Vector256.Create(0, 1, 0, 1, 0, 1, 0, 1);
        var belowColumn = column + Vector256.Create(width);
        var corners = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            int top = 2 * oh * width;
            for (int ow = 0; ow < outputWidth; ow += 8)
            {
                int count = Math.Min(8, outputWidth - ow), o = oh * outputWidth + ow;
                Vector256<float> lanes = PartialStores.FirstLanes(count);
                // + 0 as the reference's clear-then-add does: a gradient of −0 lands as +0.
                Vector256<float> gradient = Avx.MaskLoad(dy + o, lanes) + Vector256<float>.Zero;
                if (reluOutput is not null)
                {
                    Vector256<float> y = Avx.MaskLoad(reluOutput + o, lanes);
                    gradient = Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), gradient,
                        Vector256<float>.Zero);
                }
                // Where in its window each maximum was: 0, 1 (top row), width, width + 1 (bottom row).
                Vector256<int> corner = Vector256.Create(top + 2 * ow) + corners;
                Vector256<int> inWindow = Vector256.ConvertToInt32(Avx.MaskLoad(argmax + o, lanes)) - corner;
                Vector256<float> gradientLow = Avx2.PermuteVar8x32(gradient, firstPairs),
                    gradientHigh = Avx2.PermuteVar8x32(gradient, secondPairs);
                Vector256<int> whereLow = Avx2.PermuteVar8x32(inWindow, firstPairs),
                    whereHigh = Avx2.PermuteVar8x32(inWindow, secondPairs);
                float* upper = dx + (nint)2 * oh * stride + 2 * ow, lower = upper + stride;
                StorePixels256(upper, Pick256(whereLow, column, gradientLow), Pick256(whereHigh, column, gradientHigh),
                    2 * count);
                StorePixels256(lower, Pick256(whereLow, belowColumn, gradientLow),
                    Pick256(whereHigh, belowColumn, gradientHigh), 2 * count);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pick256(Vector256<int> where, Vector256<int> pixel, Vector256<float> gradient) =>
        Vector256.ConditionalSelect(Vector256.Equals(where, pixel).AsSingle(), gradient, Vector256<float>.Zero);

    /// <summary>row [count] = the first count of the 16 lanes of low and high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePixels256(float* row, Vector256<float> low, Vector256<float> high, int count)
    {
        if (count == 16)
        {
            Vector256.Store(low, row);
            Vector256.Store(high, row + 8);
            return;
        }
        PartialStores.StoreFirst(row, low, count);
        PartialStores.StoreFirst(row + 8, high, count - 8);
    }
}
