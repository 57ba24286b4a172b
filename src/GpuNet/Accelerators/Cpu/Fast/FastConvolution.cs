using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// Convolution as an implicit GEMM: the patches are never laid out as an im2col matrix. Each
/// operand sliver the GEMM micro-kernel (<see cref="GemmMicroKernels"/>) streams through is
/// gathered straight from the NCHW images, used at once while it sits in L1/L2, and each tile
/// of the product goes straight to its place in the output. A batched im2col writes and reads
/// C·kh·kw floats per output position through main memory (25 MB a step for 32 channels of 5×5
/// at batch 120) and the GEMM then copies it again into its own panels; here the only traffic
/// is the images, the kernel and the result.
/// </summary>
/// <remarks>
/// The three products, with tiles of MR × NR (12 × 32 or 8 × 32 on AVX-512, see <see cref="TileFor"/>):
/// forward, y tile [MR filters, NR positions] = kernel [filters, C·kh·kw] · patches, summed over
/// the whole patch in one pass; input gradient, a tile [MR patch elements, NR positions] of
/// kernelᵀ · dy, added onto the pixels it came from (col2im, tile by tile); kernel gradient, a
/// tile [MR filters, NR patch elements] = Σ over a chunk's positions of dy · patchᵀ, with the
/// patch taken in (kh, kw, C) order from a channels-last copy of the chunk so that each of its
/// rows is one contiguous run. Work splits by images (forward, input gradient: each image is
/// one thread's) or by fixed chunks of images whose kernel-gradient partials are summed in chunk
/// order, so the results do not depend on the thread count. On AVX2, the forward and kernel gradient
/// of a stride-1 layer over a few channels (a first layer) go straight from the pixels instead
/// (<see cref="FastDirectConvolution"/>): their patches are too shallow for the tiles to pay. AVX-512 takes that
/// form, and the other 256-bit forms, for the layers where they were measured faster there (see each form's
/// Serves).
/// </remarks>
internal static unsafe class FastConvolution
{
    /// <summary>Output positions per chunk of the kernel gradient: its operands stay in L2.</summary>
    private const int ChunkPositions = 1024;


    // Per thread: a position sliver of the patches (or of dy), a tile, the kernel-gradient chunk's operands.
    [ThreadStatic] private static float[]? t_sliver;
    [ThreadStatic] private static float[]? t_tile;
    [ThreadStatic] private static float[]? t_channelsLast;
    [ThreadStatic] private static float[]? t_dyPacked;
    // Per thread, where max pooling follows: an image's convolution output, or dy of a chunk's images before the
    // pooling.
    [ThreadStatic] private static float[]? t_unpooled;
    // On the calling thread: the kernel packed for the micro-kernel, the chunks' partial kernel gradients.
    [ThreadStatic] private static float[]? t_packedKernel;
    [ThreadStatic] private static float[]? t_packedColumns;
    [ThreadStatic] private static float[]? t_partials;
    [ThreadStatic] private static double[]? t_planeSums;
    // Per thread: each position's window corner, where the kernel gradient reads patch elements in place.
    [ThreadStatic] private static int[]? t_corners;

    /// <summary>
    /// The micro-kernel for a product with this many rows (filters, or patch elements for the
    /// input gradient) and its tile: on AVX-512, 8 × 32 where the rows come in eights but not
    /// twelves (16 or 32 filters), else 12 × 32. Each tile element sums its products in the same
    /// order whichever tile holds it, so the choice changes no result.
    /// </summary>
    private static Tile TileFor(int rows, GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 when rows % 12 != 0 && rows % 8 == 0 => new(8, 32, &GemmMicroKernels.Tile8x32),
        GemmKernelKind.Vector512 => new(12, 32, &GemmMicroKernels.Tile12x32),
        GemmKernelKind.Vector256 => new(6, 16, &GemmMicroKernels.Tile6x16),
        _ => new(GemmMicroKernels.TileShape(GemmKernelKind.Portable).Rows,
            GemmMicroKernels.TileShape(GemmKernelKind.Portable).Columns, &GemmMicroKernels.TilePortable),
    };

    private readonly struct Tile(int rows, int columns,
        delegate*<float*, float*, int, float*, nint, float, float, void> micro)
    {
        public readonly int Rows = rows, Columns = columns;
        public readonly delegate*<float*, float*, int, float*, nint, float, float, void> Micro = micro;
    }

    /// <summary>The micro-kernel kind a call asked for, <see cref="GemmKernelKind.Auto"/> resolved; one the CPU cannot
    /// run is refused.</summary>
    private static GemmKernelKind Resolve(GemmKernelKind kind)
    {
        if (kind == GemmKernelKind.Auto) return GemmMicroKernels.Best;
        if (!GemmMicroKernels.IsSupported(kind))
            throw new PlatformNotSupportedException($"This CPU cannot run the {kind} convolution tiles.");
        return kind;
    }

    /// <summary>The pooling path that goes with the tiles: the same vector width.</summary>
    private static int PoolingWidth(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => 512,
        GemmKernelKind.Vector256 => 256,
        _ => 0,
    };

    /// <summary>
    /// A batch is cut into at least this many chunks where it has the images: the chunks are what the threads
    /// share, and a layer with small planes (Chollet's third convolution, 3×3 outputs: 113 images would fill
    /// a chunk) otherwise left its whole batch of 64 to one thread.
    /// </summary>
    private const int MinimumChunks = 4;

    /// <summary>Images per chunk of the kernel gradient for this geometry; depends on nothing else (not on the
    /// threads, so neither do the sums).</summary>
    public static int ImagesPerChunk(Window2D g) =>
        Math.Clamp(Math.Min(ChunkPositions / g.OutputPlane, (g.Batch + MinimumChunks - 1) / MinimumChunks), 1,
            Math.Max(1, g.Batch));

    // ── Forward ──

    /// <summary>y [N, F, OH, OW] = kernel [F, C·kh·kw] applied to every patch of x [N, C, H, W], plus bias [F] where
    /// given.</summary>
    /// <param name="kind">The micro-kernel's instruction set (tests force each one the CPU has); Auto for the
    /// fastest.</param>
    public static void Forward(float[] x, float[] kernel, float[]? bias, Window2D g, int filters, float[] y,
        GemmKernelKind kind = GemmKernelKind.Auto)
    {
        kind = Resolve(kind);
        CheckForward(x, kernel, bias, g, filters);
        BufferChecks.CheckLength(y, (long)g.Batch * filters * g.OutputPlane, nameof(y));
        float[] packed = PackForForward(kernel, g, filters, kind);
        long work = (long)filters * g.PatchSize * g.OutputPlane;
        CpuParallel.For(g.Batch, work, new Operands(x, packed, bias, y, g, filters, kind),
            static (in Operands s, int first, int last) =>
        {
            fixed (float* y = s.Y)
            {
                for (int n = first; n < last; n++) ForwardImage(s, n, y + (nint)n * s.Filters * s.G.OutputPlane);
            }
        });
    }

    /// <summary>
    /// pooled [N, F, PH, PW] = max pooling (then a ReLU where <paramref name="relu"/>) of the
    /// convolution's output, with its arg-max as <see cref="FastMaxPooling.MaxForward"/> gives it:
    /// each image's output is made in a scratch that stays in L2 and pooled from there, so the
    /// full-size output (8.8 MB a step for the first layer of the MNIST CNNs) is never written.
    /// The direct form pools each block of filters from its own scratch, still in L1.
    /// </summary>
    public static void ForwardFused(float[] x, float[] kernel, float[]? bias, Window2D g, int filters, Window2D pool,
        bool relu, float[] pooled, float[] argmax, GemmKernelKind kind = GemmKernelKind.Auto)
    {
        kind = Resolve(kind);
        CheckForward(x, kernel, bias, g, filters);
        CheckPooling(g, filters, pool);
        BufferChecks.CheckLength(pooled, (long)g.Batch * filters * pool.OutputPlane, nameof(pooled));
        BufferChecks.CheckLength(argmax, (long)g.Batch * filters * pool.OutputPlane, nameof(argmax));
        float[] packed = PackForForward(kernel, g, filters, kind);
        long work = (long)filters * g.PatchSize * g.OutputPlane;
        CpuParallel.For(g.Batch, work, (new Operands(x, packed, bias, pooled, g, filters, kind), pool, relu, argmax),
            static (in (Operands Operands, Window2D Pool, bool Relu, float[] Argmax) s, int first, int last) =>
            {
                int filters = s.Operands.Filters, plane = s.Operands.G.OutputPlane, pooledPlane = s.Pool.OutputPlane;
                Window2D g = s.Operands.G;
                if (FastDirectConvolution.Serves(g, s.Operands.Kind) && FastDirectConvolution.PoolsInPlace(s.Pool))
                {
                    fixed (float* x = s.Operands.X, packed = s.Operands.Packed, pooled = s.Operands.Y,
                        argmax = s.Argmax)
                    {
                        for (int n = first; n < last; n++)
                        {
                            nint at = (nint)n * filters * pooledPlane;
                            FastDirectConvolution.ForwardImagePooled(x + (nint)n * g.Channels * g.InputPlane, g,
                                packed, filters, s.Operands.Bias, s.Pool, s.Relu, pooled + at, argmax + at);
                        }
                    }
                    return;
                }
                float[] imageArray = Scratch(ref t_unpooled, filters * plane);
                fixed (float* image = imageArray, pooled = s.Operands.Y, argmax = s.Argmax)
                {
                    for (int n = first; n < last; n++)
                    {
                        ForwardImage(s.Operands, n, image);
                        for (int f = 0; f < filters; f++)
                        {
                            nint at = ((nint)n * filters + f) * pooledPlane;
                            FastMaxPooling.MaxPlane(image + (nint)f * plane, s.Pool, pooled + at, argmax + at, s.Relu,
                                PoolingWidth(s.Operands.Kind));
                        }
                    }
                }
            });
    }

    private static void CheckForward(float[] x, float[] kernel, float[]? bias, Window2D g, int filters)
    {
        g.Validate();
        BufferChecks.CheckLength(x, g.InputLength, nameof(x));
        BufferChecks.CheckLength(kernel, (long)filters * g.PatchSize, nameof(kernel));
        if (bias is not null) BufferChecks.CheckLength(bias, filters, nameof(bias));
    }

    /// <summary>The pooling must read exactly the convolution's output, [N, F, OH, OW].</summary>
    private static void CheckPooling(Window2D g, int filters, Window2D pool)
    {
        pool.Validate();
        if (pool.Batch != g.Batch || pool.Channels != filters || pool.Height != g.OutputHeight
            || pool.Width != g.OutputWidth)
            throw new ArgumentException($"the pooling reads " +
                $"[{pool.Batch}, {pool.Channels}, {pool.Height}, {pool.Width}] but the convolution gives " +
                    $"[{g.Batch}, {filters}, {g.OutputHeight}, {g.OutputWidth}]");
    }

    /// <summary>[filter slivers][C·kh·kw][MR]: the MR filters of a sliver side by side at each patch
    /// element.</summary>
    private static float[] PackForForward(float[] kernel, Window2D g, int filters, GemmKernelKind kind)
    {
        if (FastDirectConvolution.Serves(g, kind))
        {
            float[] direct = Scratch(ref t_packedKernel, FastDirectConvolution.PackedLength(filters, g.PatchSize));
            fixed (float* w = kernel, p = direct) FastDirectConvolution.PackKernel(w, filters, g.PatchSize, p);
            return direct;
        }
        if (WindowsInPlace(g, kind))
        {
            // [filter slivers][patch element in (kh, kw, C) order][sliver's filters], zero past the last filter.
            int nr = WindowFilters(kind), slivers = (filters + nr - 1) / nr, patch = g.PatchSize;
            float[] windows = Scratch(ref t_packedKernel, slivers * patch * nr);
            for (int f = 0; f < slivers * nr; f++)
                for (int c = 0; c < g.Channels; c++)
                    for (int ij = 0; ij < g.WindowSize; ij++)
                        windows[((f / nr) * patch + ij * g.Channels + c) * nr + f % nr] =
                            f < filters ? kernel[(f * g.Channels + c) * g.WindowSize + ij] : 0f;
            return windows;
        }
        int mr = TileFor(filters, kind).Rows;
        int filterSlivers = (filters + mr - 1) / mr, k = g.PatchSize;
        float[] packed = Scratch(ref t_packedKernel, filterSlivers * k * mr);
        fixed (float* w = kernel, p = packed)
        {
            for (int s = 0; s < filterSlivers; s++)
                GemmPacking.TransposeRows(w + (nint)s * mr * k, k, Math.Min(mr, filters - s * mr), k,
                    p + (nint)s * k * mr, mr);
        }
        return packed;
    }

    /// <param name="output">Image n's output [F, OH, OW].</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardImage(in Operands s, int n, float* output)
    {
        Window2D g = s.G;
        if (WindowsInPlace(g, s.Kind))
        {
            ForwardImageFromWindows(s, n, output);
            return;
        }
        if (FastDirectConvolution.Serves(g, s.Kind))
        {
            fixed (float* x = s.X, packed = s.Packed)
                FastDirectConvolution.ForwardImage(x + (nint)n * g.Channels * g.InputPlane, g, packed, s.Filters,
                    s.Bias, output);
            return;
        }
        Tile shape = TileFor(s.Filters, s.Kind);
        int mr = shape.Rows, nr = shape.Columns;
        var micro = shape.Micro;
        int k = g.PatchSize, plane = g.OutputPlane, filterSlivers = (s.Filters + mr - 1) / mr;
        // Channels in blocks whose [depth, NR] sliver stays in L1 beside the micro-kernel's other
        // operands: the GEMM's depth block for the same kernel.
        int channelsPerBlock = Math.Clamp(GemmBlocking.Current(s.Kind).Depth / g.WindowSize, 1, g.Channels);
        float[] sliverArray = Scratch(ref t_sliver, channelsPerBlock * g.WindowSize * nr + 16),
            tileArray = Scratch(ref t_tile, filterSlivers * mr * nr + 16);
        Span<Segment> segments = stackalloc Segment[nr + 1];
        fixed (float* x = s.X, packed = s.Packed, sliverStart = sliverArray, tileStart = tileArray)
        {
            float* sliver = Aligned(sliverStart), tiles = Aligned(tileStart);
            float* image = x + (nint)n * g.Channels * g.InputPlane;
            for (int q0 = 0; q0 < plane; q0 += nr)
            {
                int count = Math.Min(nr, plane - q0);
                int segmentCount = Segments(g, q0, count, segments);
                // Channels in blocks whose sliver stays in L1; each tile adds up its blocks in order.
                for (int c0 = 0; c0 < g.Channels; c0 += channelsPerBlock)
                {
                    int c1 = Math.Min(g.Channels, c0 + channelsPerBlock), depth = (c1 - c0) * g.WindowSize;
                    GatherPatches(image, g, segments[..segmentCount], count, nr, sliver, c0, c1);
                    for (int fs = 0; fs < filterSlivers; fs++)
                        micro(packed + ((nint)fs * k + c0 * g.WindowSize) * mr, sliver, depth, tiles + fs * mr * nr, nr,
                            1f, c0 == 0 ? 0f : 1f);
                }
                for (int fs = 0; fs < filterSlivers; fs++)
                {
                    float* tile = tiles + fs * mr * nr;
                    int rows = Math.Min(mr, s.Filters - fs * mr);
                    for (int r = 0; r < rows; r++)
                    {
                        int f = fs * mr + r;
                        float* target = output + (nint)f * plane + q0;
                        AddScalar(tile + r * nr, s.Bias is null ? 0f : s.Bias[f], target, count);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether the forward reads each position's window where it lies in a channels-last copy of the image
    /// (<see cref="GemmMicroKernels.Tile6x16Windows"/>): more channels than the direct form takes, and every window
    /// inside its image. The tile is then 6 positions × 16 filters, so no patch is gathered and filters in
    /// sixteens fill their tiles (the 6-filter tiles padded 32 filters to 36). On AVX-512 (6 positions × 32 filters,
    /// <see cref="GemmMicroKernels.Tile6x32Windows"/>) only where an image has fewer positions than a gathered
    /// tile's 32: a 3 × 3 plane filled 9 of them, and its forward took a third of the time in place, where on the
    /// 8 × 8 and 11 × 11 planes of the MNIST CNNs' second layers the gathered tiles were as fast or faster.
    /// </summary>
    private static bool WindowsInPlace(Window2D g, GemmKernelKind kind) =>
        g.Channels > FastDirectConvolution.MaxChannels && g.WindowsInsideImage && kind switch
        {
            GemmKernelKind.Vector256 => true,
            GemmKernelKind.Vector512 => FewerPositionsThanATile(g, kind),
            _ => false,
        };

    /// <summary>Whether an image has fewer output positions than a gathered tile of this kind holds side by side:
    /// the layers whose tiles would be mostly empty.</summary>
    internal static bool FewerPositionsThanATile(Window2D g, GemmKernelKind kind) =>
        g.OutputPlane < GemmMicroKernels.TileShape(kind).Columns;

    /// <summary>Filters side by side in a tile of <see cref="ForwardImageFromWindows"/>: two vector registers'
    /// lanes, as many as the GEMM tile's columns.</summary>
    private static int WindowFilters(GemmKernelKind kind) => GemmMicroKernels.TileShape(kind).Columns;

    /// <summary>
    /// Whether the kernel gradient reads each position's patch elements where they lie (<see
    /// cref="ProductsOfElementsInPlace"/>): on AVX2, for the layers whose forward reads its windows in place.
    /// </summary>
    private static bool ElementsInPlace(Window2D g, GemmKernelKind kind) =>
        kind == GemmKernelKind.Vector256 && WindowsInPlace(g, kind);

    /// <param name="output">Image n's output [F, OH, OW].</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardImageFromWindows(in Operands s, int n, float* output)
    {
        Window2D g = s.G;
        int nr = WindowFilters(s.Kind);
        int plane = g.OutputPlane, imageLength = g.Channels * g.InputPlane, slivers = (s.Filters + nr - 1) / nr;
        float[] imageArray = Scratch(ref t_channelsLast, imageLength + 16),
            tileArray = Scratch(ref t_tile, 6 * nr + 16);
        int* corners = stackalloc int[6];
        fixed (float* x = s.X, packed = s.Packed, channelsLast = imageArray, tileStart = tileArray)
        {
            float* image = Aligned(channelsLast), tile = Aligned(tileStart);
            GemmPacking.TransposeRows(x + (nint)n * imageLength, g.InputPlane, g.Channels, g.InputPlane, image,
                g.Channels);
            for (int q0 = 0; q0 < plane; q0 += 6)
            {
                int count = Math.Min(6, plane - q0);
                // Past the last position, its window again: read, never stored.
                for (int r = 0; r < 6; r++) corners[r] = g.ChannelsLastCorner(q0 + Math.Min(r, count - 1));
                for (int fs = 0; fs < slivers; fs++)
                {
                    float* sliver = packed + (nint)fs * g.PatchSize * nr;
                    if (nr == 32)
                        GemmMicroKernels.Tile6x32Windows(image, corners, g.WindowHeight, g.Width * g.Channels,
                            g.WindowWidth * g.Channels, sliver, tile);
                    else
                        GemmMicroKernels.Tile6x16Windows(image, corners, g.WindowHeight, g.Width * g.Channels,
                            g.WindowWidth * g.Channels, sliver, tile);
                    for (int f = fs * nr; f < Math.Min(s.Filters, fs * nr + nr); f++)
                    {
                        float bias = s.Bias is null ? 0f : s.Bias[f];
                        float* target = output + (nint)f * plane + q0;
                        for (int r = 0; r < count; r++) target[r] = tile[r * nr + f - fs * nr] + bias;
                    }
                }
            }
        }
    }

    /// <summary>
    /// sliver [C·kh·kw, NR]: for each patch element, its value at the positions of the segments
    /// (zero where the window reads padding, and past count).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherPatches(float* image, Window2D g, ReadOnlySpan<Segment> segments, int count, int nr,
        float* sliver, int firstChannel, int endChannel)
    {
        int plane = g.InputPlane;
        float* row = sliver;
        if (Interior(g, segments))
        {
            // Valid, stride-1 windows inside the image: each run is a straight copy from a fixed
            // offset of the patch element's pixel, so the offsets are worked out once for all rows.
            int runs = segments.Length;
            int* from = stackalloc int[runs], into = stackalloc int[runs], lengths = stackalloc int[runs];
            for (int r = 0; r < runs; r++)
                (from[r], into[r],
                    lengths[r]) = (segments[r].OutputRow * g.StrideHeight * g.Width + segments[r].FirstColumn,
                        segments[r].Start, segments[r].Length);
            bool fourRowsOfEight = count == 32 && nr == 32 && runs == 4 && lengths[0] == 8 && lengths[1] == 8
                && lengths[2] == 8 && lengths[3] == 8;
            bool twoRowsOfEight = count == 16 && nr == 16 && runs == 2 && lengths[0] == 8 && lengths[1] == 8;
            for (int c = firstChannel; c < endChannel; c++)
            {
                for (int i = 0; i < g.WindowHeight; i++)
                {
                    float* pixel = image + (nint)c * plane + i * g.Width;
                    for (int j = 0; j < g.WindowWidth; j++, row += nr)
                    {
                        float* source = pixel + j;
                        if (fourRowsOfEight)
                        {
                            // An 8-wide output (the second layer of the MNIST CNNs): four output rows per sliver.
                            Vector256.Store(Vector256.Load(source + from[0]), row);
                            Vector256.Store(Vector256.Load(source + from[1]), row + 8);
                            Vector256.Store(Vector256.Load(source + from[2]), row + 16);
                            Vector256.Store(Vector256.Load(source + from[3]), row + 24);
                            continue;
                        }
                        if (twoRowsOfEight)
                        {
                            // The same with AVX2's 16-position slivers: two output rows.
                            Vector256.Store(Vector256.Load(source + from[0]), row);
                            Vector256.Store(Vector256.Load(source + from[1]), row + 8);
                            continue;
                        }
                        for (int r = 0; r < runs; r++) CopyRun(source + from[r], row + into[r], lengths[r]);
                        Clear(row + count, nr - count);
                    }
                }
            }
            return;
        }
        for (int c = firstChannel; c < endChannel; c++)
        {
            float* channel = image + (nint)c * plane;
            for (int i = 0; i < g.WindowHeight; i++)
            {
                for (int j = 0; j < g.WindowWidth; j++, row += nr)
                {
                    var (owFirst, owEnd) = ReferenceConvolution.ValidOutputRange(j, g.StrideWidth, g.PadLeft, g.Width,
                        g.OutputWidth);
                    foreach (ref readonly Segment segment in segments)
                    {
                        float* target = row + segment.Start;
                        int h = segment.OutputRow * g.StrideHeight - g.PadTop + i;
                        int a = Math.Max(segment.FirstColumn, owFirst),
                            e = Math.Min(segment.FirstColumn + segment.Length, owEnd);
                        if ((uint)h >= (uint)g.Height || a >= e)
                        {
                            Clear(target, segment.Length);
                            continue;
                        }
                        Clear(target, a - segment.FirstColumn);
                        float* source = channel + h * g.Width - g.PadLeft + j;
                        float* at = target + (a - segment.FirstColumn);
                        if (g.StrideWidth == 1) CopyRun(source + a, at, e - a);
                        else for (int ow = a; ow < e; ow++) at[ow - a] = source[ow * g.StrideWidth];
                        Clear(target + (e - segment.FirstColumn), segment.FirstColumn + segment.Length - e);
                    }
                    Clear(row + count, nr - count);
                }
            }
        }
    }

    /// <summary>Whether every window at the segments' positions is a valid, stride-1 one inside the image: its runs are
    /// plain copies.</summary>
    private static bool Interior(Window2D g, ReadOnlySpan<Segment> segments)
    {
        if (g.PadTop != 0 || g.PadLeft != 0 || g.StrideWidth != 1) return false;
        foreach (ref readonly Segment segment in segments)
        {
            if (segment.OutputRow * g.StrideHeight + g.WindowHeight > g.Height) return false;
            if (segment.FirstColumn + segment.Length - 1 + g.WindowWidth > g.Width) return false;
        }
        return true;
    }

    // ── Input gradient ──

    /// <summary>dx [N, C, H, W] += col2im(kernelᵀ · dy): every patch element's gradient added onto its
    /// pixel.</summary>
    /// <param name="set">dx = …: each image's dx is cleared just before its tiles go in, while it is in
    /// cache.</param>
    public static void BackwardData(float[] kernel, float[] dy, Window2D g, int filters, float[] dx, bool set = false,
        GemmKernelKind kind = GemmKernelKind.Auto)
    {
        BufferChecks.CheckLength(dy, (long)g.Batch * filters * g.OutputPlane, nameof(dy));
        InputGradient(kernel, dy, null, g, filters, dx, set, Resolve(kind));
    }

    /// <summary>As <see cref="BackwardData"/>, with dy made image by image from the gradient of the max pooling that
    /// follows.</summary>
    public static void BackwardDataFused(float[] kernel, in FusedPoolingGradient dy, Window2D g, int filters,
        float[] dx, bool set = false, GemmKernelKind kind = GemmKernelKind.Auto)
    {
        CheckPooled(dy, g, filters);
        InputGradient(kernel, [], dy, g, filters, dx, set, Resolve(kind));
    }

    private static void InputGradient(float[] kernel, float[] dy, FusedPoolingGradient? pooled, Window2D g, int filters,
        float[] dx, bool set, GemmKernelKind kind)
    {
        g.Validate();
        BufferChecks.CheckLength(kernel, (long)filters * g.PatchSize, nameof(kernel));
        BufferChecks.CheckLength(dx, g.InputLength, nameof(dx));
        int mr = TileFor(g.PatchSize, kind).Rows;
        int k = g.PatchSize, patchSlivers = (k + mr - 1) / mr;
        // Channels-last for every image, or (AVX-512's larger planes) for those whose dy is sparse enough, the others
        // taking col2im: the choice is made from each image's dy, so a gradient through a fused max pooling and the
        // same gradient set out in full take the same form, to the same bits.
        bool channelsLast = ChannelsLastInputGradient.Serves(g, kind);
        bool denseChannelsLast = channelsLast && ChannelsLastInputGradient.TakesDenseImages(g, kind);
        float[] channelsLastPacked = [], columnsPacked = [];
        if (channelsLast)
        {
            channelsLastPacked = Scratch(ref t_packedKernel, ChannelsLastInputGradient.PackedLength(g, filters));
            fixed (float* w = kernel, p = channelsLastPacked) ChannelsLastInputGradient.PackKernel(w, g, filters, p);
        }
        if (!denseChannelsLast)
        {
            // [patch slivers][F][MR]: kernelᵀ, MR patch elements side by side for each filter.
            columnsPacked = Scratch(ref t_packedColumns, patchSlivers * filters * mr);
            fixed (float* w = kernel, p = columnsPacked)
            {
                for (int s = 0; s < patchSlivers; s++)
                    GemmPacking.CopyRows(w + s * mr, k, Math.Min(mr, k - s * mr), filters, p + (nint)s * filters * mr,
                        mr);
            }
        }
        long work = (long)filters * k * g.OutputPlane;
        CpuParallel.For(g.Batch, work,
            (new DataGradientOperands(dy, columnsPacked, dx, g, filters, kind), pooled, set, channelsLastPacked,
                channelsLast, denseChannelsLast),
            static (in (DataGradientOperands Operands, FusedPoolingGradient? Pooled, bool Set,
                float[] ChannelsLastPacked, bool ChannelsLast, bool DenseChannelsLast) s, int first, int last) =>
        {
            int imageLength = s.Operands.Filters * s.Operands.G.OutputPlane;
            float[] unpooledArray = s.Pooled is null ? [] : Scratch(ref t_unpooled, imageLength);
            Window2D g = s.Operands.G;
            fixed (float* dy = s.Operands.Dy, unpooled = unpooledArray, packed = s.ChannelsLastPacked,
                   dx = s.Operands.Dx)
            {
                for (int n = first; n < last; n++)
                {
                    float* imageDy = dy + (nint)n * imageLength;
                    if (s.Pooled is { } p) Unpool(p, n, 1, imageDy = unpooled, PoolingWidth(s.Operands.Kind));
                    bool done = s.ChannelsLast && ChannelsLastInputGradient.Image(imageDy, packed, g,
                        s.Operands.Filters, s.Set, dx + (nint)n * g.Channels * g.InputPlane,
                        sparse: s.Pooled is not null || !s.DenseChannelsLast, dense: s.DenseChannelsLast,
                        s.Operands.Kind);
                    if (!done) BackwardDataImage(s.Operands, n, s.Set, imageDy);
                }
            }
        });
    }

    /// <param name="imageDy">Image n's dy [F, OH, OW].</param>
    /// <remarks>
    /// Every patch element's gradient at NR positions is made first (kernelᵀ times dy there, one tile per MR
    /// elements, stacked), then added onto its pixels. Where every window is inside the image, that is a few
    /// short runs per element at offsets worked out once per sliver: the adds are as many as the products' tiles
    /// have rows, so they are kept to a few instructions each.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardDataImage(in DataGradientOperands s, int n, bool set, float* imageDy)
    {
        Window2D g = s.G;
        Tile shape = TileFor(g.PatchSize, s.Kind);
        int mr = shape.Rows, nr = shape.Columns;
        var micro = shape.Micro;
        int k = g.PatchSize, plane = g.OutputPlane, filters = s.Filters, patchSlivers = (k + mr - 1) / mr;
        float[] sliverArray = Scratch(ref t_sliver, filters * nr + 16),
            columnsArray = Scratch(ref t_tile, patchSlivers * mr * nr + 16);
        Span<Segment> segments = stackalloc Segment[nr + 1];
        fixed (float* packed = s.Packed, dx = s.Dx, sliverStart = sliverArray, columnsStart = columnsArray)
        {
            // columns [patch elements, NR]: element e's gradient at the sliver's positions is row e.
            float* sliver = Aligned(sliverStart), columns = Aligned(columnsStart);
            float* image = dx + (nint)n * g.Channels * g.InputPlane;
            if (set) new Span<float>(image, g.Channels * g.InputPlane).Clear();
            for (int q0 = 0; q0 < plane; q0 += nr)
            {
                int count = Math.Min(nr, plane - q0);
                int segmentCount = Segments(g, q0, count, segments);
                bool interior = Interior(g, segments[..segmentCount]);
                // sliver [F, NR] = dy at these positions, one row per filter.
                GemmPacking.CopyRows(imageDy + q0, plane, count, filters, sliver, nr);
                for (int ps = 0; ps < patchSlivers; ps++)
                    micro(packed + (nint)ps * filters * mr, sliver, filters, columns + (nint)ps * mr * nr, nr, 1f, 0f);
                if (interior) AddInteriorColumns(columns, nr, g, segments[..segmentCount], image);
                else
                {
                    float* element = columns;
                    for (int c = 0; c < g.Channels; c++)
                        for (int i = 0; i < g.WindowHeight; i++)
                            for (int j = 0; j < g.WindowWidth; j++, element += nr)
                                ScatterAdd(element, c, i, j, g, segments[..segmentCount], image);
                }
            }
        }
    }

    /// <summary>
    /// Adds every patch element's gradient (<paramref name="columns"/> [C·kh·kw, NR]) onto the pixels it read, for
    /// segments whose windows are all stride-1 ones inside the image: element (c, i, j) at a segment's positions
    /// is a run of pixels of row i of channel c, shifted by j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddInteriorColumns(float* columns, int nr, in Window2D g, ReadOnlySpan<Segment> segments,
        float* image)
    {
        int count = segments.Length;
        // Per segment: where its values start in a column row, how many, and its first pixel for element (0, 0).
        int* starts = stackalloc int[count], lengths = stackalloc int[count], pixels = stackalloc int[count];
        for (int t = 0; t < count; t++)
        {
            Segment segment = segments[t];
            (starts[t], lengths[t]) = (segment.Start, segment.Length);
            pixels[t] = segment.OutputRow * g.StrideHeight * g.Width + segment.FirstColumn;
        }
        float* element = columns;
        for (int c = 0; c < g.Channels; c++)
            for (int i = 0; i < g.WindowHeight; i++)
            {
                float* row = image + (nint)c * g.InputPlane + i * g.Width;
                for (int j = 0; j < g.WindowWidth; j++, element += nr)
                    for (int t = 0; t < count; t++)
                        AddRun(element + starts[t], row + j + pixels[t], lengths[t]);
            }
    }

    /// <summary>Adds patch element (c, i, j)'s gradient at the segments' positions onto the pixels that element
    /// read, for windows that may reach into the padding or stride by more than one (the others take <see
    /// cref="AddInteriorColumns"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterAdd(float* values, int c, int i, int j, Window2D g, ReadOnlySpan<Segment> segments,
        float* image)
    {
        float* channel = image + (nint)c * g.InputPlane;
        var (owFirst, owEnd) = ReferenceConvolution.ValidOutputRange(j, g.StrideWidth, g.PadLeft, g.Width,
            g.OutputWidth);
        foreach (ref readonly Segment segment in segments)
        {
            int h = segment.OutputRow * g.StrideHeight - g.PadTop + i;
            int a = Math.Max(segment.FirstColumn, owFirst), e = Math.Min(segment.FirstColumn + segment.Length, owEnd);
            if ((uint)h >= (uint)g.Height || a >= e) continue;
            float* source = values + segment.Start + (a - segment.FirstColumn);
            float* target = channel + h * g.Width - g.PadLeft + j;
            if (g.StrideWidth == 1) AddRun(source, target + a, e - a);
            else for (int ow = a; ow < e; ow++) target[ow * g.StrideWidth] += source[ow - a];
        }
    }

    // ── Kernel gradient ──

    /// <summary>
    /// dKernel [F, C·kh·kw] += Σ over every position of dy · patchᵀ, and dBias [F] += Σ dy where
    /// given: each chunk sums its dy planes while they are in cache from its transposes, rather
    /// than a pass of its own over dy (8.8 MB a step in the first layer of the MNIST CNNs).
    /// The bias sums are those of <see cref="FastChannelBias.Gradient"/>, in its order.
    /// </summary>
    public static void BackwardKernel(float[] x, float[] dy, Window2D g, int filters, float[] dKernel,
        float[]? dBias = null, GemmKernelKind kind = GemmKernelKind.Auto)
    {
        BufferChecks.CheckLength(dy, (long)g.Batch * filters * g.OutputPlane, nameof(dy));
        KernelGradient(x, dy, null, g, filters, dKernel, dBias, Resolve(kind));
    }

    /// <summary>
    /// As <see cref="BackwardKernel"/>, with each chunk's dy made from the gradient of the max
    /// pooling that follows, in L2, instead of read from a full-size dy in memory.
    /// </summary>
    public static void BackwardKernelFused(float[] x, in FusedPoolingGradient dy, Window2D g, int filters,
        float[] dKernel, float[]? dBias = null, GemmKernelKind kind = GemmKernelKind.Auto)
    {
        CheckPooled(dy, g, filters);
        KernelGradient(x, [], dy, g, filters, dKernel, dBias, Resolve(kind));
    }

    private static void CheckPooled(in FusedPoolingGradient dy, Window2D g, int filters)
    {
        CheckPooling(g, filters, dy.Pool);
        long outputs = (long)g.Batch * filters * dy.Pool.OutputPlane;
        BufferChecks.CheckLength(dy.Dy, outputs, nameof(dy));
        BufferChecks.CheckLength(dy.Argmax, outputs, nameof(dy.Argmax));
        if (dy.ReluOutput is not null) BufferChecks.CheckLength(dy.ReluOutput, outputs, nameof(dy.ReluOutput));
    }

    private static void KernelGradient(float[] x, float[] dy, FusedPoolingGradient? pooled, Window2D g, int filters,
        float[] dKernel, float[]? dBias, GemmKernelKind kind)
    {
        g.Validate();
        BufferChecks.CheckLength(x, g.InputLength, nameof(x));
        BufferChecks.CheckLength(dKernel, (long)filters * g.PatchSize, nameof(dKernel));
        if (dBias is not null) BufferChecks.CheckLength(dBias, filters, nameof(dBias));
        if (g.Batch == 0) return;
        Tile shape = TileFor(filters, kind);
        int mr = shape.Rows, nr = shape.Columns;
        int perChunk = ImagesPerChunk(g), chunks = (g.Batch + perChunk - 1) / perChunk;
        int paddedFilters = (filters + mr - 1) / mr * mr, paddedPatch = (g.PatchSize + nr - 1) / nr * nr;
        int partialLength = paddedFilters * paddedPatch;
        float[] partials = Scratch(ref t_partials, chunks * partialLength);
        double[]? planeSums = dBias is null ? null : Scratch(ref t_planeSums, g.Batch * filters);
        long work = (long)perChunk * filters * g.PatchSize * g.OutputPlane;
        var state = new KernelGradientState(x, dy, pooled, partials, planeSums, g, filters, perChunk, partialLength,
            paddedPatch, kind);
        CpuParallel.For(chunks, work, state, static (in KernelGradientState s, int first, int last) =>
        {
            for (int chunk = first; chunk < last; chunk++) KernelGradientChunk(s, chunk);
        });
        // Each chunk's partial in chunk order, from (kh, kw, C) order back to the kernel's [F, C, kh, kw].
        CpuParallel.For(filters, (long)chunks * g.PatchSize, (state, dKernel, chunks),
            static (in (KernelGradientState S, float[] DKernel, int Chunks) t, int first, int last) =>
        {
            Window2D g = t.S.G;
            for (int f = first; f < last; f++)
            {
                for (int c = 0; c < g.Channels; c++)
                    for (int i = 0; i < g.WindowHeight; i++)
                        for (int j = 0; j < g.WindowWidth; j++)
                        {
                            int column = (i * g.WindowWidth + j) * g.Channels + c;
                            float sum = 0f;
                            for (int chunk = 0; chunk < t.Chunks; chunk++)
                                sum += t.S.Partials[chunk * t.S.PartialLength + f * t.S.PaddedPatch + column];
                            t.DKernel[(f * g.Channels + c) * g.WindowSize + i * g.WindowWidth + j] += sum;
                        }
            }
        });
        if (dBias is null) return;
        for (int f = 0; f < filters; f++)
        {
            double sum = 0;
            for (int n = 0; n < g.Batch; n++) sum += planeSums![n * filters + f];
            dBias[f] += (float)sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelGradientChunk(in KernelGradientState s, int chunk)
    {
        Window2D g = s.G;
        Tile shape = TileFor(s.Filters, s.Kind);
        int mr = shape.Rows, nr = shape.Columns;
        var micro = shape.Micro;
        int firstImage = chunk * s.PerChunk, images = Math.Min(s.PerChunk, g.Batch - firstImage);
        int plane = g.OutputPlane, positions = images * plane, filters = s.Filters;
        int filterSlivers = (filters + mr - 1) / mr, patchSlivers = s.PaddedPatch / nr;
        int imageLength = g.Channels * g.InputPlane;
        // 16 floats to align, and 8 for the packing's overrun past the last sliver; room for either packing of dy.
        float[] dyArray = Scratch(ref t_dyPacked, Math.Max(filterSlivers * mr, (filters + 15) / 16 * 16) * positions
            + 24);
        float[] sliverArray = Scratch(ref t_sliver, positions * nr + 32);
        bool direct = FastDirectConvolution.Serves(g, s.Kind);
        float[] channelsLastArray = g.Channels > 1 && !direct
            ? Scratch(ref t_channelsLast, images * imageLength + 32)
            : [];
        // The direct form makes its dy from a 2×2 pooling's gradient straight into its wide rows, and takes every
        // plane's sum from those rows.
        bool unpoolInPlace = direct && s.Pooled is { } pooling && FastDirectConvolution.UnpoolsInPlace(pooling.Pool);
        float[] unpooledArray = s.Pooled is null || unpoolInPlace ? [] : Scratch(ref t_unpooled, positions * filters);
        fixed (float* x = s.X, batchDy = s.Dy, partials = s.Partials, dyStart = dyArray, sliverStart = sliverArray,
            channelsLast = channelsLastArray, unpooled = unpooledArray)
        {
            float* dyPacked = Aligned(dyStart), sliver = Aligned(sliverStart);
            // The chunk's dy [images, F, OH, OW].
            float* dy = batchDy + (nint)firstImage * filters * plane;
            if (s.Pooled is { } pooled && !unpoolInPlace)
                Unpool(pooled, firstImage, images, dy = unpooled, PoolingWidth(s.Kind));
            // The chunk's images channels-last, [n, H, W, C], so that a patch row (kw·C values) is contiguous.
            float* pixels = x + (nint)firstImage * imageLength;
            if (g.Channels > 1 && !direct)
            {
                for (int n = 0; n < images; n++)
                    GemmPacking.TransposeRows(pixels + (nint)n * imageLength, g.InputPlane, g.Channels, g.InputPlane,
                        Aligned(channelsLast) + (nint)n * imageLength, g.Channels);
                // Aligned, so that the copy's rows start on cache lines; the tiles that read patch elements in place
                // may read a few floats past the last image (the scratch has room).
                pixels = Aligned(channelsLast);
            }
            float* partial = partials + (nint)chunk * s.PartialLength;
            if (direct)
            {
                fixed (double* planeSums = s.PlaneSums)
                    FastDirectConvolution.KernelGradient(pixels, dy, unpoolInPlace ? s.Pooled : null, firstImage, g,
                        images, filters, partial, s.PaddedPatch,
                        planeSums is null ? null : planeSums + (nint)firstImage * filters);
                return;
            }
            if (s.PlaneSums is { } sums)
                for (int n = 0; n < images; n++)
                    for (int f = 0; f < filters; f++)
                        sums[(firstImage + n) * filters
                            + f] = FastChannelBias.SumInDouble(new ReadOnlySpan<float>(dy
                                + ((nint)n * filters + f) * plane, plane));
            // Behind a max pooling, most of dy is zero: the products run over the rest, to the same sums.
            if (s.Pooled is not null && SparsePooledGradient.ServesKernelGradient(g, s.Kind))
            {
                SparsePooledGradient.KernelGradient(pixels, dy, g, images, filters, partial, s.PaddedPatch, s.Kind);
                return;
            }
            if (ElementsInPlace(g, s.Kind))
            {
                ProductsOfElementsInPlace(s, pixels, images, dy, dyPacked, partial);
                return;
            }
            // dy as [filter slivers][positions][MR]: each position's MR filter gradients side by side,
            // written in order, so a narrow tile's packing may overrun into the next piece.
            for (int fs = 0; fs < filterSlivers; fs++)
                for (int n = 0; n < images; n++)
                    GemmPacking.TransposeRows(dy + ((nint)n * filters + fs * mr) * plane, plane,
                        Math.Min(mr, filters - fs * mr), plane,
                        dyPacked + ((nint)fs * positions + n * plane) * mr, mr, mayOverrun: true);
            for (int ps = 0; ps < patchSlivers; ps++)
            {
                GatherChannelsLast(pixels, g, images, ps * nr, nr, sliver);
                for (int fs = 0; fs < filterSlivers; fs++)
                    micro(dyPacked + (nint)fs * positions * mr, sliver, positions,
                        partial + (nint)fs * mr * s.PaddedPatch + ps * nr, s.PaddedPatch, 1f, 0f);
            }
        }
    }

    /// <summary>
    /// The chunk's products with each position's patch elements read where they lie in the channels-last chunk, six
    /// neighbours along a window row at a time, against 16 filters' dy (<see
    /// cref="GemmMicroKernels.Tile6x16Elements"/>): no patch is gathered and no filter tile is padded (32 filters
    /// had taken 36 rows of six). The same products, in the same order, as the gathered slivers give.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductsOfElementsInPlace(in KernelGradientState s, float* pixels, int images, float* dy,
        float* dyPacked, float* partial)
    {
        Window2D g = s.G;
        const int rows = 6, nr = 16;
        int plane = g.OutputPlane, positions = images * plane, filters = s.Filters;
        int filterSlivers = (filters + nr - 1) / nr, rowLength = g.WindowWidth * g.Channels;
        // dy as [16-filter slivers][positions][16], zero past the last filter.
        for (int fs = 0; fs < filterSlivers; fs++)
            for (int n = 0; n < images; n++)
                GemmPacking.TransposeRows(dy + ((nint)n * filters + fs * nr) * plane, plane,
                    Math.Min(nr, filters - fs * nr), plane, dyPacked + ((nint)fs * positions + n * plane) * nr, nr);
        int groups = g.WindowHeight * ((rowLength + rows - 1) / rows);
        int[] cornerArray = Scratch(ref t_corners, positions);
        float[] tileArray = Scratch(ref t_tile, groups * rows * nr + 16);
        fixed (int* corners = cornerArray)
        fixed (float* tilesStart = tileArray)
        {
            float* tiles = Aligned(tilesStart);
            WindowCorners(g, images, corners);
            for (int fs = 0; fs < filterSlivers; fs++)
            {
                float* sliver = dyPacked + (nint)fs * positions * nr;
                int sliverFilters = Math.Min(nr, filters - fs * nr);
                // Positions in blocks whose dy (16 floats each) stays in L1 while every group of patch elements
                // runs over it; each tile carries its sums on from one block to the next, so the order is the same.
                for (int p0 = 0; p0 < positions; p0 += PositionsPerBlock)
                {
                    int count = Math.Min(PositionsPerBlock, positions - p0);
                    float* tile = tiles;
                    for (int i = 0; i < g.WindowHeight; i++)
                        for (int first = 0; first < rowLength; first += rows, tile += rows * nr)
                            GemmMicroKernels.Tile6x16Elements(pixels + (nint)i * g.Width * g.Channels + first,
                                corners + p0, count, sliver + (nint)p0 * nr, tile, add: p0 > 0);
                }
                float* done = tiles;
                for (int i = 0; i < g.WindowHeight; i++)
                    for (int first = 0; first < rowLength; first += rows, done += rows * nr)
                    {
                        // Patch elements (i, first …) in (kh, kw, C) order; past the row's end (count < 6) the
                        // tile read on into the chunk's slack, and those rows are not kept.
                        int count = Math.Min(rows, rowLength - first), column = i * rowLength + first;
                        for (int t = 0; t < sliverFilters; t++)
                        {
                            float* target = partial + (nint)(fs * nr + t) * s.PaddedPatch + column;
                            for (int r = 0; r < count; r++) target[r] = done[r * nr + t];
                        }
                    }
            }
        }
    }

    /// <summary>Positions per block of <see cref="ProductsOfElementsInPlace"/>: 16 KB of dy.</summary>
    private const int PositionsPerBlock = 256;

    /// <summary>corners [positions]: each position's window corner in the chunk's channels-last images, [n, H, W,
    /// C].</summary>
    private static void WindowCorners(in Window2D g, int images, int* corners)
    {
        int k = 0, imageLength = g.Channels * g.InputPlane;
        for (int n = 0; n < images; n++)
            for (int q = 0; q < g.OutputPlane; q++)
                corners[k++] = n * imageLength + g.ChannelsLastCorner(q);
    }

    /// <summary>
    /// sliver [positions, NR]: at every position of the chunk, patch elements [first, first + NR)
    /// in (kh, kw, C) order from the channels-last pixels, zero for padding and past the patch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherChannelsLast(float* pixels, Window2D g, int images, int first, int nr, float* sliver)
    {
        float* pixelsEnd = pixels + (nint)images * g.Channels * g.InputPlane;
        int rowLength = g.WindowWidth * g.Channels, channels = g.Channels;
        int end = Math.Min(first + nr, g.PatchSize), width = end - first;
        // The sliver's elements fall into runs, one per patch row i they touch: [offset, offset + length) of row i.
        int maxRuns = nr / Math.Max(1, rowLength) + 2;
        int* rowOf = stackalloc int[maxRuns], offsets = stackalloc int[maxRuns], lengths = stackalloc int[maxRuns];
        int runs = 0;
        for (int e = first; e < end; runs++)
        {
            int i = e / rowLength, offset = e - i * rowLength, length = Math.Min(end, (i + 1) * rowLength) - e;
            (rowOf[runs], offsets[runs], lengths[runs]) = (i, offset, length);
            e += length;
        }
        nint imageLength = (nint)channels * g.InputPlane;
        float* target = sliver;
        for (int n = 0; n < images; n++)
        {
            float* image = pixels + n * imageLength;
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                int h0 = oh * g.StrideHeight - g.PadTop;
                bool rowsInside = h0 >= 0 && h0 + g.WindowHeight <= g.Height;
                for (int ow = 0; ow < g.OutputWidth; ow++, target += nr)
                {
                    int w0 = ow * g.StrideWidth - g.PadLeft;
                    float* corner = image + ((nint)h0 * g.Width + w0) * channels;
                    if (rowsInside && w0 >= 0 && w0 + g.WindowWidth <= g.Width)
                    {
                        float* into = target;
                        for (int r = 0; r < runs; into += lengths[r], r++)
                        {
                            float* from = corner + (nint)rowOf[r] * g.Width * channels + offsets[r];
                            // A short run (a first layer's kw values) as one whole vector where reading 8
                            // stays inside the pixels: the runs are written in order, so what it writes past
                            // its end is overwritten by the next run, or by the padding cleared below.
                            if (lengths[r] < 8 && from + 8 <= pixelsEnd) Vector256.Store(Vector256.Load(from), into);
                            else CopyRun(from, into, lengths[r]);
                        }
                    }
                    else
                    {
                        // Of row i, columns w0 + j inside the image are contiguous: [validFirst, validEnd) of
                        // its kw·C.
                        int validFirst = Math.Max(0, -w0) * channels,
                            validEnd = Math.Min(g.WindowWidth, g.Width - w0) * channels;
                        float* into = target;
                        for (int r = 0; r < runs; into += lengths[r], r++)
                        {
                            int offset = offsets[r], runEnd = offset + lengths[r];
                            if ((uint)(h0 + rowOf[r]) >= (uint)g.Height)
                            {
                                Clear(into, lengths[r]);
                                continue;
                            }
                            int a = Math.Clamp(validFirst, offset, runEnd), b = Math.Clamp(validEnd, a, runEnd);
                            Clear(into, a - offset);
                            CopyRun(corner + (nint)rowOf[r] * g.Width * channels + a, into + (a - offset), b - a);
                            Clear(into + (b - offset), runEnd - b);
                        }
                    }
                    Clear(target + width, nr - width);
                }
            }
        }
    }

    // ── Pieces ──

    /// <summary>target [count, F, OH, OW] = dy before the pooling of images [first, first + count).</summary>
    private static void Unpool(in FusedPoolingGradient pooled, int first, int count, float* target, int width)
    {
        Window2D pool = pooled.Pool;
        fixed (float* dy = pooled.Dy, argmax = pooled.Argmax, reluOutput = pooled.ReluOutput)
        {
            for (int plane = 0; plane < count * pool.Channels; plane++)
            {
                nint at = ((nint)first * pool.Channels + plane) * pool.OutputPlane;
                FastMaxPooling.MaxPlaneBackward(dy + at, argmax + at, reluOutput is null ? null : reluOutput + at, pool,
                    target + (nint)plane * pool.InputPlane, width);
            }
        }
    }

    /// <summary>A run of output positions along one output row: sliver columns [Start, Start + Length) are (OutputRow,
    /// FirstColumn …).</summary>
    private readonly record struct Segment(int Start, int OutputRow, int FirstColumn, int Length);

    /// <summary>Splits positions [q0, q0 + count) of an output plane into runs along its rows.</summary>
    private static int Segments(Window2D g, int q0, int count, Span<Segment> segments)
    {
        int n = 0;
        for (int r = 0; r < count;)
        {
            int q = q0 + r, oh = q / g.OutputWidth, ow = q % g.OutputWidth;
            int length = Math.Min(g.OutputWidth - ow, count - r);
            segments[n++] = new Segment(r, oh, ow, length);
            r += length;
        }
        return n;
    }

    /// <summary>The forward: x [N, C, H, W], the kernel packed for the micro-kernel, the bias, y [N, F, OH,
    /// OW].</summary>
    private readonly record struct Operands(float[] X, float[] Packed, float[]? Bias, float[] Y, Window2D G,
        int Filters, GemmKernelKind Kind);

    /// <summary>The input gradient: dy [N, F, OH, OW], kernelᵀ packed for the micro-kernel,
    /// dx [N, C, H, W].</summary>
    private readonly record struct DataGradientOperands(float[] Dy, float[] Packed, float[] Dx, Window2D G, int Filters,
        GemmKernelKind Kind);

    /// <param name="PlaneSums">Σ of each dy plane [N, F], in double, for the bias gradient; null without one.</param>
    private readonly record struct KernelGradientState(float[] X, float[] Dy, FusedPoolingGradient? Pooled,
        float[] Partials, double[]? PlaneSums, Window2D G, int Filters, int PerChunk, int PartialLength,
            int PaddedPatch, GemmKernelKind Kind);

    /// <summary>
    /// target [count] = source [count], reading and writing nothing outside them: whole vectors,
    /// the last one ending at count (overlapping the one before), and a short run through a masked
    /// load and a partial store (<see cref="PartialStores"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* source, float* target, int count)
    {
        if (!Avx.IsSupported)
        {
            for (int i = 0; i < count; i++) target[i] = source[i];
            return;
        }
        if (count >= 8)
        {
            int k = 0;
            for (; k + 8 < count; k += 8) Vector256.Store(Vector256.Load(source + k), target + k);
            Vector256.Store(Vector256.Load(source + count - 8), target + count - 8);
            return;
        }
        if (count <= 0) return;
        PartialStores.StoreFirst(target, Avx.MaskLoad(source, PartialStores.FirstLanes(count)), count);
    }

    // Element by element the same additions as the reference's col2im for each pixel and patch element.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddRun(float* source, float* target, int count)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; k + 8 <= count; k += 8)
                Vector256.Store(Vector256.Load(target + k) + Vector256.Load(source + k), target + k);
        // Runs are often an output row (11, 24 …): four at once before the last few.
        if (Vector128.IsHardwareAccelerated && k + 4 <= count)
        {
            Vector128.Store(Vector128.Load(target + k) + Vector128.Load(source + k), target + k);
            k += 4;
        }
        for (; k < count; k++) target[k] += source[k];
    }

    /// <summary>target [count] = source [count] + value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddScalar(float* source, float value, float* target, int count)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(value);
            for (; k + 8 <= count; k += 8) Vector256.Store(Vector256.Load(source + k) + v, target + k);
        }
        for (; k < count; k++) target[k] = source[k] + value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(float* target, int count)
    {
        for (int k = 0; k < count; k++) target[k] = 0f;
    }

    /// <summary>The first 64-byte boundary at or after start; every scratch array has 16 floats to spare for
    /// it.</summary>
    internal static float* Aligned(float* start) => (float*)(((nint)start + 63) & ~(nint)63);

    internal static T[] Scratch<T>(ref T[]? buffer, int length) where T : unmanaged
    {
        if (buffer is null || buffer.Length < length) buffer = GC.AllocateUninitializedArray<T>(length, pinned: true);
        return buffer;
    }
}

