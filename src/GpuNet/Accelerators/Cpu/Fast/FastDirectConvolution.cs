using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The AVX2 forward and kernel gradient of a stride-1 convolution over few input channels (a first layer's grey or
/// colour pixels), straight from the pixels, with no patch gather. With one channel and a 5×5 window the implicit
/// GEMM's patch is 25 deep: its tiles pad the 32 filters to 36 and the patch to 32, and gathering each patch
/// element's run of positions costs as much as the products. Here each image is laid out once with its padding in
/// place and a row width of <c>Wp = OW + kw − 1</c>, so that output position (oh, ow) reads patch element (c, i, j)
/// at a fixed offset <c>(c·Hp + i)·Wp + j</c> from <c>oh·Wp + ow</c>: over "wide" positions <c>q = oh·Wp + ow</c>
/// the convolution is a sum of shifted copies of the image, one per patch element, and every product is a plain
/// vector load and FMA. The wide positions past OW in each row (<c>kw − 1</c> of every Wp) are computed and thrown
/// away in the forward and multiply a zero dy in the kernel gradient.
/// </summary>
/// <remarks>
/// The forward holds 4 filters × 24 positions in 12 registers and adds each patch element in the kernel's (c, i, j)
/// order, from zero, then adds the bias: the order the GEMM tile used, so the results are the same bits. The kernel
/// gradient holds 4 filters × 3 patch elements, each a vector of partial sums over the chunk's positions, summed
/// across its lanes at the end; it depends on the chunk, never on the thread.
/// A 2×2 max pooling that follows is taken from the wide rows, and its gradient made straight into them: writing
/// the image's output (or dy) out in full and reading it back had cost as much as the products themselves.
/// </remarks>
internal static unsafe class FastDirectConvolution
{
    /// <summary>Up to this many input channels: beyond, the patch is deep enough for the implicit GEMM's
    /// tiles.</summary>
    public const int MaxChannels = 4;

    private const int FilterBlock = 4, PositionBlock = 24, TapBlock = 3;

    // Per thread: the padded images, the wide outputs or dy, the patch elements' offsets and columns.
    [ThreadStatic] private static float[]? t_padded;
    [ThreadStatic] private static float[]? t_wide;
    [ThreadStatic] private static int[]? t_offsets;
    [ThreadStatic] private static int[]? t_columns;

    /// <summary>
    /// Whether this geometry on this kind of micro-kernel takes the direct form. An AVX-512 machine takes it too, on
    /// its 256-bit vectors, where the patch is at most <see cref="MaxPatchOnAvx512"/> deep.
    /// </summary>
    public static bool Serves(Window2D g, GemmKernelKind kind) =>
        g.StrideHeight == 1 && g.StrideWidth == 1 && g.Channels <= MaxChannels && kind switch
        {
            GemmKernelKind.Vector256 => true,
            GemmKernelKind.Vector512 => g.PatchSize <= MaxPatchOnAvx512,
            _ => false,
        };

    /// <summary>
    /// The deepest patch the direct form takes on AVX-512: half the 32 patch elements a kernel-gradient tile holds
    /// side by side. A 3 × 3 grey patch filled 9 of them, and on a Xeon its layer's kernel gradient took about a third
    /// less time here and its forward as long; a 5 × 5 patch fills 25, and the tiles were as fast or faster.
    /// </summary>
    public const int MaxPatchOnAvx512 = 16;

    /// <summary>The kernel [F, C, kh, kw] as [filter blocks][patch element][4 filters], zero past the last
    /// filter.</summary>
    public static void PackKernel(float* kernel, int filters, int patch, float* packed)
    {
        int blocks = (filters + FilterBlock - 1) / FilterBlock;
        for (int fb = 0; fb < blocks; fb++)
            for (int t = 0; t < patch; t++)
                for (int r = 0; r < FilterBlock; r++)
                {
                    int f = fb * FilterBlock + r;
                    packed[((nint)fb * patch + t) * FilterBlock + r] = f < filters ? kernel[(nint)f * patch + t] : 0f;
                }
    }

    /// <summary>Floats of <see cref="PackKernel"/>'s output.</summary>
    public static int PackedLength(int filters, int patch) =>
        (filters + FilterBlock - 1) / FilterBlock * patch * FilterBlock;

    /// <summary>output [F, OH, OW] = the kernel packed by <see cref="PackKernel"/> applied to image [C, H, W], plus
    /// the bias where given.</summary>
    public static void ForwardImage(float* image, Window2D g, float* packed, int filters, float[]? bias,
        float* output) =>
        Forward(image, g, packed, filters, bias, output, default, false, null, null);

    /// <summary>Whether <see cref="ForwardImagePooled"/> takes this pooling straight from the wide rows: 2×2 windows
    /// inside the output.</summary>
    public static bool PoolsInPlace(Window2D pool) => FastMaxPooling.IsUnclippedTwoByTwo(pool);

    /// <summary>Whether <see cref="KernelGradient"/> makes dy from this pooling's gradient straight into the wide
    /// rows: 2×2 windows that tile the output exactly.</summary>
    public static bool UnpoolsInPlace(Window2D pool) => FastMaxPooling.TilesExactly(pool);

    /// <summary>
    /// pooled [F, PH, PW] and its arg-max = the max pooling <paramref name="pool"/> (unclipped 2×2, see <see
    /// cref="PoolsInPlace"/>), then the ReLU where asked, of what <see cref="ForwardImage"/> would write, bit for
    /// bit: each filter's wide rows are pooled where they are, with the bias added as they are read, so the
    /// image's output is never written out (that and pooling it again took about as long as the products).
    /// </summary>
    public static void ForwardImagePooled(float* image, Window2D g, float* packed, int filters, float[]? bias,
        Window2D pool, bool relu, float* pooled, float* argmax) =>
        Forward(image, g, packed, filters, bias, null, pool, relu, pooled, argmax);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward(float* image, Window2D g, float* packed, int filters, float[]? bias, float* output,
        Window2D pool, bool relu, float* pooled, float* argmax)
    {
        var layout = new WideLayout(g);
        int span = (layout.Positions + PositionBlock - 1) / PositionBlock * PositionBlock, patch = g.PatchSize;
        // 16 floats to align and 16 for the pooling's reads past the last filter's last row.
        float[] paddedArray = FastConvolution.Scratch(ref t_padded, layout.ImageStride),
            wideArray = FastConvolution.Scratch(ref t_wide, FilterBlock * span + 32);
        int[] offsetArray = Offsets(g, layout, patch);
        fixed (float* padded = paddedArray, wideStart = wideArray)
        fixed (int* offsets = offsetArray)
        {
            float* wide = FastConvolution.Aligned(wideStart);
            layout.Pad(image, padded);
            for (int fb = 0; fb * FilterBlock < filters; fb++)
            {
                float* weights = packed + (nint)fb * patch * FilterBlock;
                for (int q = 0; q < span; q += PositionBlock)
                    ForwardBlock(padded + q, weights, offsets, patch, wide + q, span);
                for (int r = 0; r < FilterBlock && fb * FilterBlock + r < filters; r++)
                {
                    int f = fb * FilterBlock + r;
                    float b = bias is null ? 0f : bias[f];
                    if (pooled is not null)
                    {
                        nint at = (nint)f * pool.OutputPlane;
                        FastMaxPooling.MaxWideTwoByTwo256(wide + (nint)r * span, layout.Width, b, pool, pooled + at,
                            argmax + at, relu);
                        continue;
                    }
                    for (int oh = 0; oh < g.OutputHeight; oh++)
                        FastConvolution.AddScalar(wide + (nint)r * span + oh * layout.Width, b,
                            output + (nint)f * g.OutputPlane + oh * g.OutputWidth, g.OutputWidth);
                }
            }
        }
    }

    /// <summary>wide [4, span] at 24 positions from x: Σ over the patch of weight × the element's shifted
    /// pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardBlock(float* x, float* weights, int* offsets, int patch, float* wide, nint span)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        for (int t = 0; t < patch; t++, weights += FilterBlock)
        {
            float* at = x + offsets[t];
            Vector256<float> x0 = Vector256.Load(at), x1 = Vector256.Load(at + 8), x2 = Vector256.Load(at + 16);
            Vector256<float> w = Vector256.Create(weights[0]);
            a00 = Fma.MultiplyAdd(w, x0, a00); a01 = Fma.MultiplyAdd(w, x1, a01); a02 = Fma.MultiplyAdd(w, x2, a02);
            w = Vector256.Create(weights[1]);
            a10 = Fma.MultiplyAdd(w, x0, a10); a11 = Fma.MultiplyAdd(w, x1, a11); a12 = Fma.MultiplyAdd(w, x2, a12);
            w = Vector256.Create(weights[2]);
            a20 = Fma.MultiplyAdd(w, x0, a20); a21 = Fma.MultiplyAdd(w, x1, a21); a22 = Fma.MultiplyAdd(w, x2, a22);
            w = Vector256.Create(weights[3]);
            a30 = Fma.MultiplyAdd(w, x0, a30); a31 = Fma.MultiplyAdd(w, x1, a31); a32 = Fma.MultiplyAdd(w, x2, a32);
        }
        Vector256.Store(a00, wide); Vector256.Store(a01, wide + 8); Vector256.Store(a02, wide + 16);
        wide += span;
        Vector256.Store(a10, wide); Vector256.Store(a11, wide + 8); Vector256.Store(a12, wide + 16);
        wide += span;
        Vector256.Store(a20, wide); Vector256.Store(a21, wide + 8); Vector256.Store(a22, wide + 16);
        wide += span;
        Vector256.Store(a30, wide); Vector256.Store(a31, wide + 8); Vector256.Store(a32, wide + 16);
    }

    /// <summary>
    /// partial [F, stride]: at column (i·kw + j)·C + c (the implicit GEMM's channels-last order), Σ over the
    /// chunk's positions of dy × patch element (c, i, j), for images [C, H, W] and their dy [F, OH, OW] one after
    /// another; and each dy plane's sum where <paramref name="planeSums"/> [count, F] is given, bit for bit <see
    /// cref="FastChannelBias.SumInDouble"/>'s.
    /// </summary>
    /// <param name="pooled">Where given, dy is made from the gradient of this max pooling (of images firstImage …
    /// on, which <see cref="UnpoolsInPlace"/> must take) straight into the wide rows, and <paramref name="dy"/> is
    /// not read.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelGradient(float* images, float* dy, FusedPoolingGradient? pooled, int firstImage,
        Window2D g, int count, int filters, float* partial, int stride, double* planeSums)
    {
        var layout = new WideLayout(g);
        int rowsPerImage = (layout.Positions + 7) / 8 * 8, patch = g.PatchSize;
        int blocks = (filters + FilterBlock - 1) / FilterBlock;
        nint filterStride = (nint)count * rowsPerImage;
        float[] paddedArray = FastConvolution.Scratch(ref t_padded, count * layout.ImageStride),
            wideArray = FastConvolution.Scratch(ref t_wide, (int)(blocks * FilterBlock * filterStride) + 16);
        int[] offsetArray = Offsets(g, layout, (patch + TapBlock - 1) / TapBlock * TapBlock);
        // Each patch element's column in partial, worked out once: divisions per block of sums cost as much as
        // an image's products.
        int[] columnArray = FastConvolution.Scratch(ref t_columns, patch);
        for (int t = 0; t < patch; t++) columnArray[t] = t % g.WindowSize * g.Channels + t / g.WindowSize;
        fixed (float* padded = paddedArray, wideStart = wideArray)
        fixed (int* offsets = offsetArray, columns = columnArray)
        {
            // Aligned, so that the loads of dy, eight floats at a time from the start of each row, never split.
            float* wide = FastConvolution.Aligned(wideStart);
            for (int n = 0; n < count; n++)
                layout.Pad(images + (nint)n * g.Channels * g.InputPlane, padded + (nint)n * layout.ImageStride);
            WideDy(dy, pooled, firstImage, g, layout, count, filters, blocks * FilterBlock, wide, filterStride,
                rowsPerImage);
            if (planeSums is not null)
                for (int n = 0; n < count; n++)
                    for (int f = 0; f < filters; f++)
                        planeSums[n * filters + f] = FastChannelBias.SumRowsInDouble(
                            wide + f * filterStride + (nint)n * rowsPerImage, layout.Width, g.OutputWidth,
                            g.OutputHeight);
            float* sums = stackalloc float[FilterBlock * TapBlock];
            for (int fb = 0; fb < blocks; fb++)
                for (int t = 0; t < patch; t += TapBlock)
                {
                    GradientBlock(padded, layout.ImageStride, wide + fb * FilterBlock * filterStride, filterStride,
                        rowsPerImage, count, offsets + t, sums);
                    int taps = Math.Min(TapBlock, patch - t);
                    for (int r = 0; r < FilterBlock && fb * FilterBlock + r < filters; r++)
                    {
                        float* row = partial + (nint)(fb * FilterBlock + r) * stride;
                        for (int e = 0; e < taps; e++) row[columns[t + e]] = sums[r * TapBlock + e];
                    }
                }
        }
    }

    /// <summary>
    /// wide [filter][image][wide position] = dy, zero past OW in each row, past the last row and past the last
    /// filter: copied from dy [count, F, OH, OW], or made from the pooling's gradient where it is given.
    /// </summary>
    private static void WideDy(float* dy, FusedPoolingGradient? pooled, int firstImage, Window2D g,
        in WideLayout layout, int count, int filters, int paddedFilters, float* wide, nint filterStride,
        int rowsPerImage)
    {
        fixed (float* pooledDy = pooled?.Dy, argmax = pooled?.Argmax, reluOutput = pooled?.ReluOutput)
        {
            for (int f = 0; f < paddedFilters; f++)
                for (int n = 0; n < count; n++)
                {
                    float* target = wide + f * filterStride + (nint)n * rowsPerImage;
                    new Span<float>(target, rowsPerImage).Clear();
                    if (f >= filters) continue;
                    if (pooled is { } p)
                    {
                        nint at = ((nint)(firstImage + n) * filters + f) * p.Pool.OutputPlane;
                        FastMaxPooling.MaxWideBackwardTwoByTwo256(pooledDy + at, argmax + at,
                            reluOutput is null ? null : reluOutput + at, p.Pool, target, layout.Width);
                        continue;
                    }
                    float* source = dy + ((nint)n * filters + f) * g.OutputPlane;
                    for (int oh = 0; oh < g.OutputHeight; oh++)
                        new ReadOnlySpan<float>(source + oh * g.OutputWidth, g.OutputWidth)
                            .CopyTo(new Span<float>(target + oh * layout.Width, g.OutputWidth));
                }
        }
    }

    /// <summary>sums [4 filters, 3 patch elements] = Σ over the images' wide positions of dy × the elements'
    /// shifted pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientBlock(float* padded, int imageStride, float* dy, nint filterStride, int rowsPerImage,
        int count, int* offsets, float* sums)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        int o0 = offsets[0], o1 = offsets[1], o2 = offsets[2];
        for (int n = 0; n < count; n++)
        {
            float* x = padded + (nint)n * imageStride, d = dy + (nint)n * rowsPerImage;
            for (int q = 0; q < rowsPerImage; q += 8)
            {
                Vector256<float> x0 = Vector256.Load(x + q + o0), x1 = Vector256.Load(x + q + o1),
                    x2 = Vector256.Load(x + q + o2);
                Vector256<float> v = Vector256.Load(d + q);
                a00 = Fma.MultiplyAdd(v, x0, a00); a01 = Fma.MultiplyAdd(v, x1, a01); a02 = Fma.MultiplyAdd(v, x2, a02);
                v = Vector256.Load(d + filterStride + q);
                a10 = Fma.MultiplyAdd(v, x0, a10); a11 = Fma.MultiplyAdd(v, x1, a11); a12 = Fma.MultiplyAdd(v, x2, a12);
                v = Vector256.Load(d + 2 * filterStride + q);
                a20 = Fma.MultiplyAdd(v, x0, a20); a21 = Fma.MultiplyAdd(v, x1, a21); a22 = Fma.MultiplyAdd(v, x2, a22);
                v = Vector256.Load(d + 3 * filterStride + q);
                a30 = Fma.MultiplyAdd(v, x0, a30); a31 = Fma.MultiplyAdd(v, x1, a31); a32 = Fma.MultiplyAdd(v, x2, a32);
            }
        }
        sums[0] = Vector256.Sum(a00); sums[1] = Vector256.Sum(a01); sums[2] = Vector256.Sum(a02);
        sums[3] = Vector256.Sum(a10); sums[4] = Vector256.Sum(a11); sums[5] = Vector256.Sum(a12);
        sums[6] = Vector256.Sum(a20); sums[7] = Vector256.Sum(a21); sums[8] = Vector256.Sum(a22);
        sums[9] = Vector256.Sum(a30); sums[10] = Vector256.Sum(a31); sums[11] = Vector256.Sum(a32);
    }

    /// <summary>Each patch element's offset in a padded image, (c·Hp + i)·Wp + j, in the kernel's (c, i, j) order;
    /// 0 for the elements past the patch that round it up to <paramref name="length"/>.</summary>
    private static int[] Offsets(Window2D g, in WideLayout layout, int length)
    {
        int[] offsets = FastConvolution.Scratch(ref t_offsets, length);
        for (int t = 0; t < length; t++)
        {
            if (t >= g.PatchSize)
            {
                offsets[t] = 0;
                continue;
            }
            int c = t / g.WindowSize, i = t % g.WindowSize / g.WindowWidth, j = t % g.WindowWidth;
            offsets[t] = (c * layout.Height + i) * layout.Width + j;
        }
        return offsets;
    }

    /// <summary>
    /// An image with its padding in place: C planes of Hp = OH + kh − 1 rows of Wp = OW + kw − 1, then zeros for
    /// what the last block of positions reads past the last plane.
    /// </summary>
    private readonly struct WideLayout
    {
        public readonly int Width, Height, Positions, ImageStride;
        private readonly Window2D _g;

        public WideLayout(Window2D g)
        {
            _g = g;
            Width = g.OutputWidth + g.WindowWidth - 1;
            Height = g.OutputHeight + g.WindowHeight - 1;
            Positions = g.OutputHeight * Width;
            // The last block of 24 wide positions starts before Positions and reads up to kw − 1 past a row.
            ImageStride = (g.Channels * Height * Width + g.WindowWidth + PositionBlock + 7) / 8 * 8;
        }

        /// <summary>target [ImageStride] = image [C, H, W] with its padding (and whatever the window never reaches
        /// cut off) in place.</summary>
        public void Pad(float* image, float* target)
        {
            Window2D g = _g;
            // Columns s of a padded row read the image's column s − PadLeft: [first, end) fall inside it.
            int first = Math.Clamp(g.PadLeft, 0, Width), end = Math.Clamp(g.Width + g.PadLeft, first, Width);
            for (int c = 0; c < g.Channels; c++)
                for (int r = 0; r < Height; r++)
                {
                    var row = new Span<float>(target + ((nint)c * Height + r) * Width, Width);
                    int h = r - g.PadTop;
                    if ((uint)h >= (uint)g.Height || first >= end)
                    {
                        row.Clear();
                        continue;
                    }
                    row[..first].Clear();
                    new ReadOnlySpan<float>(image + ((nint)c * g.Height + h) * g.Width + (first - g.PadLeft),
                        end - first).CopyTo(row[first..]);
                    row[end..].Clear();
                }
            int planes = g.Channels * Height * Width;
            new Span<float>(target + planes, ImageStride - planes).Clear();
        }
    }
}
