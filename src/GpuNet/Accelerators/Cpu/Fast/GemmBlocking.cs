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
/// <param name="PanelFloats">Floats of a packed panel of op(B), the slivers of a block of columns at one depth block,
/// packed once and used by every row block: an eighth of L3 (at most 4 MiB, as BLIS's NC), or half of L2 where that is
/// more or there is no L3. Each sliver comes into L1 once per row block whichever cache holds the panel, but every
/// column block packs op(A) again: with half of a Zen 3 core's 512 KiB L2 a 1024-column product was cut into six
/// blocks, and repacking op(A) six times cost about a twelfth of its time.</param>
internal readonly record struct GemmBlocking(int Depth, int AFloats, int PanelFloats)
{
    private const int MaxPanelBytes = 4 << 20;

    public static GemmBlocking For(GemmKernelKind kind, CpuCacheSizes caches)
    {
        int columns = GemmMicroKernels.TileShape(kind).Columns;
        int depth = Math.Clamp(caches.L1DataBytes * 2 / 3 / (columns * sizeof(float)) / 8 * 8, 128, 512);
        int panelBytes = Math.Max(caches.L2Bytes / 2, Math.Min(caches.L3Bytes / 8, MaxPanelBytes));
        return new GemmBlocking(depth, caches.L2Bytes / 4 / sizeof(float), panelBytes / sizeof(float));
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
