namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The cache blocking of <see cref="FastGemm"/> for one micro-kernel on one CPU, from the
/// caches it reports (<see cref="CpuCacheSizes"/>).
/// </summary>
/// <param name="Depth">Most depth steps per block: a [Depth, NR] sliver of op(B) fills about two thirds of L1, where it
/// stays while the micro-kernel runs down the rows (between 128 and 512 steps: a longer sliver spreads the tile's load
/// and store of C over more multiply-adds).</param>
/// <param name="AFloats">Floats of a packed block of op(A): a quarter of L2, which the micro-kernel streams its slivers
/// from.</param>
/// <param name="PanelFloats">Floats of a packed panel of op(B), the slivers of a block of columns at one depth block:
/// half of L2, packed once and used by every row block.</param>
internal readonly record struct GemmBlocking(int Depth, int AFloats, int PanelFloats)
{
    public static GemmBlocking For(GemmKernelKind kind, CpuCacheSizes caches)
    {
        int columns = GemmMicroKernels.TileShape(kind).Columns;
        int depth = Math.Clamp(caches.L1DataBytes * 2 / 3 / (columns * sizeof(float)) / 8 * 8, 128, 512);
        return new GemmBlocking(depth, caches.L2Bytes / 4 / sizeof(float), caches.L2Bytes / 2 / sizeof(float));
    }

    /// <summary>The blocking of each kind on this CPU.</summary>
    public static GemmBlocking Current(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => Vector512,
        GemmKernelKind.Vector256 => Vector256,
        _ => Portable,
    };

    private static readonly GemmBlocking Vector512 = For(GemmKernelKind.Vector512, CpuCacheSizes.Current);
    private static readonly GemmBlocking Vector256 = For(GemmKernelKind.Vector256, CpuCacheSizes.Current);
    private static readonly GemmBlocking Portable = For(GemmKernelKind.Portable, CpuCacheSizes.Current);
}
