using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The 256-bit (AVX2) input gradient of a convolution over 16·k channels whose windows all lie inside the image, made
/// in a channels-last copy of each image's dx. A tile is 6 output positions × 16 patch elements of one window pixel (i,
/// j) and 16 channels c0 … c0 + 15, so each of its rows is 16 neighbouring floats of dx [H, W, C] at the pixel that
/// position's window has at (i, j): the row is added there as two vectors, and no patch element's gradient is laid out
/// and then scattered back run by run (col2im), which with 8- to 11-wide output rows came to about two fifths of the
/// input gradient on Zen 3. Positions are the tiles' rows, so 3×3 outputs fill 9 of 12 rows where 16-position slivers
/// had filled 9 of 16.
/// </summary>
/// <remarks>
/// Each pixel's sum runs over the position tiles in order, then over (i, j, c0) in order: it depends on the
/// geometry alone, never on the thread, within rounding of the reference's col2im order.
/// </remarks>
internal static unsafe class ChannelsLastInputGradient
{
    private const int Rows = 6, Columns = 16;

    /// <summary>
    /// Whether this geometry on this kind of micro-kernel takes this form: on either path, 16·k channels whose windows
    /// all lie inside the image. Which images it takes on AVX-512 is <see cref="TakesDenseImages"/>'s to say.
    /// </summary>
    public static bool Serves(Window2D g, GemmKernelKind kind) =>
        g.Channels % Columns == 0 && g.WindowsInsideImage
        && kind is GemmKernelKind.Vector256 or GemmKernelKind.Vector512;

    /// <summary>
    /// Whether every image takes this form, or only those whose dy is sparse enough for <see
    /// cref="SparsePooledGradient.InputGradient"/>, the others keeping col2im. On AVX-512, with the same 256-bit
    /// tiles, the dense tiles pay only where an image has fewer positions than the 12 × 32 tiles' 32: on a Xeon a
    /// 3 × 3 plane's input gradient took two fifths less time this way, where an 11 × 11 plane's took as long or
    /// longer. The sparse products pay on the larger planes too: alternated call by call with col2im behind a max
    /// pooling on the Xeon, the two-block CNN's second layer (8 × 8 plane) took 1.91 against 2.40 ms (median),
    /// Chollet's second (11 × 11) 1.54 against 1.72 ms.
    /// </summary>
    public static bool TakesDenseImages(Window2D g, GemmKernelKind kind) =>
        kind == GemmKernelKind.Vector256 || FastConvolution.FewerPositionsThanATile(g, kind);

    /// <summary>Floats of <see cref="PackKernel"/>'s output.</summary>
    public static int PackedLength(Window2D g, int filters) => g.PatchSize * filters;

    /// <summary>
    /// The kernel [F, C, kh, kw] as slivers [(i, j, c0)][F][16], c0 in steps of 16: sliver (i, j, c0) holds, for
    /// each filter, the weights of channels c0 … c0 + 15 at window pixel (i, j).
    /// </summary>
    public static void PackKernel(float* kernel, Window2D g, int filters, float* packed)
    {
        int window = g.WindowSize;
        for (int ij = 0; ij < window; ij++)
            for (int c0 = 0; c0 < g.Channels; c0 += Columns)
                for (int f = 0; f < filters; f++)
                    for (int t = 0; t < Columns; t++)
                        *packed++ = kernel[((nint)f * g.Channels + c0 + t) * window + ij];
    }

    /// <summary>dx image [C, H, W] = (or += where <paramref name="set"/> is false) the gradient of image dy [F, OH,
    /// OW], with the kernel packed by <see cref="PackKernel"/>.</summary>
    /// <param name="sparse">dy may be mostly zeros (a max pooling's gradient): where its nonzero values are few enough,
    /// the image takes <see cref="SparsePooledGradient.InputGradient"/>, to the same bits as the dense tiles.</param>
    /// <param name="dense">Whether the dense tiles take the image where the sparse products do not.</param>
    /// <param name="kind">The vector path: the sparse products run on 512-bit vectors on AVX-512's.</param>
    /// <returns>False, having left dx alone, where neither took the image.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Image(float* dy, float* packed, Window2D g, int filters, bool set, float* dx, bool sparse,
        bool dense, GemmKernelKind kind)
    {
        int plane = g.OutputPlane, pixels = g.InputPlane, channels = g.Channels;
        int slivers = g.WindowSize * channels / Columns;
        float[] channelsLastArray = FastConvolution.Scratch(ref t_channelsLast, pixels * channels + 16),
            nchwArray = set ? [] : FastConvolution.Scratch(ref t_nchw, pixels * channels),
            dyArray = FastConvolution.Scratch(ref t_dyTile, filters * Rows + 8),
            tileArray = FastConvolution.Scratch(ref t_tile, Rows * Columns + 16);
        int* corners = stackalloc int[Rows];
        // Each sliver's (i, j, c0) as an offset from a window's corner in dx [H, W, C], worked out once.
        int* offsets = stackalloc int[slivers];
        for (int s = 0; s < slivers; s++)
        {
            int ij = s * Columns / channels, c0 = s * Columns % channels;
            offsets[s] = (ij / g.WindowWidth * g.Width + ij % g.WindowWidth) * channels + c0;
        }
        fixed (float* channelsLastStart = channelsLastArray, nchw = nchwArray, a = dyArray, tileStart = tileArray)
        {
            // Aligned: a tile row (16 channels) is then one cache line or two whole halves.
            float* image = FastConvolution.Aligned(channelsLastStart), tile = FastConvolution.Aligned(tileStart);
            new Span<float>(image, pixels * channels).Clear();
            bool done = sparse && SparsePooledGradient.InputGradient(dy, packed, g, filters, slivers, image, offsets,
                kind);
            if (!done && !dense) return false;
            for (int q0 = 0; q0 < plane && !done; q0 += Rows)
            {
                int count = Math.Min(Rows, plane - q0);
                // a [F, 6]: each filter's dy at these positions, zero past count.
                GemmPacking.CopyRows(dy + q0, plane, count, filters, a, Rows);
                for (int r = 0; r < count; r++) corners[r] = g.ChannelsLastCorner(q0 + r);
                float* sliver = packed;
                if (count == Rows)
                {
                    // The same sums, added from the registers.
                    for (int s = 0; s < slivers; s++, sliver += (nint)filters * Columns)
                        GemmMicroKernels.Tile6x16AddRows(a, sliver, filters, image + offsets[s], corners);
                    continue;
                }
                // The last, partial tile: its rows past count are not to be added anywhere.
                for (int s = 0; s < slivers; s++, sliver += (nint)filters * Columns)
                {
                    GemmMicroKernels.Tile6x16(a, sliver, filters, tile, Columns, 1f, 0f);
                    float* at = image + offsets[s];
                    for (int r = 0; r < count; r++)
                    {
                        float* values = tile + r * Columns;
                        GemmMicroKernels.AddRow(at + corners[r], Vector256.Load(values), Vector256.Load(values + 8));
                    }
                }
            }
            // Back to [C, H, W]: written straight into dx where it is set, else added.
            float* target = set ? dx : nchw;
            GemmPacking.TransposeRows(image, channels, pixels, channels, target, pixels);
            if (!set) FastConvolution.AddRun(nchw, dx, pixels * channels);
        }
        return true;
    }

    // Per thread: the channels-last dx, the image back in [C, H, W] to add, a tile's dy and its products.
    [ThreadStatic] private static float[]? t_channelsLast;
    [ThreadStatic] private static float[]? t_nchw;
    [ThreadStatic] private static float[]? t_dyTile;
    [ThreadStatic] private static float[]? t_tile;
}
