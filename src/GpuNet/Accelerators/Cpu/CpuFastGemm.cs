using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// The tuned GEMM: c [m, n] = alpha · op(a) · op(b) + beta · c, row-major, the contract of
/// <see cref="IAccelerator.Gemm"/>. Blocks of op(A) and op(B) are packed into cache-sized panels
/// (<see cref="GemmPacking"/>) and multiplied tile by tile by a register-blocked micro-kernel
/// (<see cref="GemmMicroKernels"/>) chosen for the CPU. <see cref="CpuGemm"/> stays the reference.
/// </summary>
/// <remarks>
/// Loop order, outermost first: columns of C in panels of <see cref="PanelColumns"/> (op(B) panel
/// [kc, nc] packed once, kept in L2), depth in blocks of at most <see cref="MaxDepth"/>, rows of C
/// in slivers of MR (op(A) sliver [kc, MR] packed once, kept in L1), then the tiles of the row.
/// Threads take disjoint rectangles of C made of whole tiles and pack their own panels, so they
/// share nothing but the inputs. Every element of C is summed in the same order whatever the
/// thread count: by depth block in turn, each block by the micro-kernel in order of p.
/// </remarks>
internal static unsafe class CpuFastGemm
{
    /// <summary>Most depth steps per block: a [256, 32] sliver of B is 32 KiB, an L1's worth.</summary>
    private const int MaxDepth = 256;

    /// <summary>Columns per packed op(B) panel: [256, 1024] floats are 1 MiB, half an L2.</summary>
    private const int PanelColumns = 1024;

    /// <summary>Below this many multiply-adds the plain kernel is as fast: packing would not pay.</summary>
    private const long SmallWork = 1 << 12;

    /// <summary>Multiply-adds a second thread must get to be worth waking.</summary>
    private const long WorkPerThread = 1 << 18;

    // Largest tile of any kernel, for sizing the per-thread buffers.
    private const int MaxTileRows = 16, MaxTileColumns = 64;

    [ThreadStatic] private static float[]? t_packing;

    /// <summary>c [m, n] = alpha · op(a) · op(b) + beta · c on the fastest kernel, over <see cref="CpuParallel.ThreadCount"/> threads.</summary>
    public static void Multiply(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k, float alpha, float beta, float[] c) =>
        Multiply(transposeA, transposeB, a, b, m, n, k, alpha, beta, c, GemmKernelKind.Auto, CpuParallel.ThreadCount);

    /// <summary>
    /// As <see cref="Multiply(bool, bool, float[], float[], int, int, int, float, float, float[])"/>,
    /// with the micro-kernel forced (anything but <see cref="GemmKernelKind.Auto"/> always takes the
    /// packed path, even for tiny sizes) and C split into rectangles for at most
    /// <paramref name="threads"/> threads. The result does not depend on <paramref name="threads"/>.
    /// </summary>
    internal static void Multiply(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k, float alpha, float beta, float[] c,
        GemmKernelKind kind, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, (long)m * k, nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, (long)k * n, nameof(b));
        ArgumentOutOfRangeException.ThrowIfLessThan(c.Length, (long)m * n, nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            ScaleOnly(c.AsSpan(0, m * n), beta);
            return;
        }
        long work = (long)m * n * k;
        if (kind == GemmKernelKind.Auto)
        {
            if (work < SmallWork)
            {
                CpuGemm.Multiply(transposeA, transposeB, a, b, m, n, k, alpha, beta, c);
                return;
            }
            kind = GemmMicroKernels.Best;
        }
        else if (!GemmMicroKernels.IsSupported(kind))
        {
            throw new PlatformNotSupportedException($"This CPU cannot run the {kind} GEMM micro-kernel.");
        }

        var job = t_job ??= new Job();
        job.Set(transposeA, transposeB, a, b, m, n, k, alpha, beta, c, kind, Math.Max(1, threads));
        try
        {
            if (job.Regions == 1) job.RunRegion(0);
            else CpuParallel.For(job.Regions, long.MaxValue / job.Regions, job.RunRegions);
        }
        finally
        {
            job.Clear();
        }
    }

    [ThreadStatic] private static Job? t_job;

    /// <summary>How many rectangles of C a multiplication is split into, for tests.</summary>
    internal static int RegionCount(int m, int n, int k, GemmKernelKind kind, int threads)
    {
        var (tileRows, tileColumns) = GemmMicroKernels.TileShape(kind);
        var (rows, columns) = PlanRegions(m, n, k, tileRows, tileColumns, threads);
        return rows * columns;
    }

    // Splits columns first: each thread then packs only its own part of op(B), usually the larger
    // operand, and reads op(A) whole; rows are split only when there are too few column tiles.
    private static (int Rows, int Columns) PlanRegions(int m, int n, int k, int tileRows, int tileColumns, int threads)
    {
        long work = (long)m * n * k;
        threads = (int)Math.Clamp(work / WorkPerThread, 1, Math.Max(1, threads));
        int tilesM = (m + tileRows - 1) / tileRows, tilesN = (n + tileColumns - 1) / tileColumns;
        int columns = Math.Min(threads, tilesN);
        int rows = Math.Min(Math.Max(1, threads / columns), tilesM);
        return (rows, columns);
    }

    private static void ScaleOnly(Span<float> c, float beta)
    {
        if (beta == 0f) c.Clear();
        else if (beta != 1f) for (int i = 0; i < c.Length; i++) c[i] *= beta;
    }

    /// <summary>The buffer a thread packs into: an op(A) sliver and an op(B) panel, 64-byte aligned.</summary>
    private static float* PackingBuffer(out float* sliver)
    {
        const int sliverLength = MaxTileRows * MaxDepth, panelLength = MaxDepth * PanelColumns;
        const int alignFloats = 16;
        float[] buffer = t_packing ??= GC.AllocateUninitializedArray<float>(sliverLength + panelLength + alignFloats, pinned: true);
        float* start = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        float* aligned = (float*)(((nint)start + 63) & ~(nint)63);
        sliver = aligned;
        return aligned + sliverLength;
    }

    /// <summary>
    /// One multiplication: its operands, its split into rectangles of C and the delegate the
    /// threads run, kept per calling thread so that a call allocates nothing of its own.
    /// </summary>
    private sealed class Job
    {
        private bool _transposeA, _transposeB;
        private float[] _a = [], _b = [], _c = [];
        private int _m, _n, _k, _depthStep;
        private float _alpha, _beta;
        private int _tileRows, _tileColumns, _rowRegions, _columnRegions;
        private delegate*<float*, float*, int, float*, nint, float, float, void> _kernel;

        public Job() => RunRegions = (first, last) =>
        {
            for (int region = first; region < last; region++) RunRegion(region);
        };

        public Action<int, int> RunRegions { get; }

        public int Regions => _rowRegions * _columnRegions;

        public void Set(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k, float alpha, float beta, float[] c,
            GemmKernelKind kind, int threads)
        {
            (_transposeA, _transposeB, _a, _b, _c, _m, _n, _k, _alpha, _beta) = (transposeA, transposeB, a, b, c, m, n, k, alpha, beta);
            (_tileRows, _tileColumns) = GemmMicroKernels.TileShape(kind);
            _kernel = kind switch
            {
                GemmKernelKind.Vector512 => &GemmMicroKernels.Tile14x32,
                GemmKernelKind.Vector256 => &GemmMicroKernels.Tile6x16,
                _ => &GemmMicroKernels.TilePortable,
            };
            // Equal depth blocks, so a k just past a multiple of MaxDepth does not leave a sliver of a block.
            int depthBlocks = (k + MaxDepth - 1) / MaxDepth;
            _depthStep = (k + depthBlocks - 1) / depthBlocks;

            (_rowRegions, _columnRegions) = PlanRegions(m, n, k, _tileRows, _tileColumns, threads);
        }

        public void Clear() => (_a, _b, _c) = ([], [], []);

        public void RunRegion(int region)
        {
            int tilesM = (_m + _tileRows - 1) / _tileRows, tilesN = (_n + _tileColumns - 1) / _tileColumns;
            int rowRegion = region / _columnRegions, columnRegion = region % _columnRegions;
            int i0 = (int)((long)rowRegion * tilesM / _rowRegions) * _tileRows;
            int i1 = Math.Min(_m, (int)((long)(rowRegion + 1) * tilesM / _rowRegions) * _tileRows);
            int j0 = (int)((long)columnRegion * tilesN / _columnRegions) * _tileColumns;
            int j1 = Math.Min(_n, (int)((long)(columnRegion + 1) * tilesN / _columnRegions) * _tileColumns);
            if (i0 >= i1 || j0 >= j1) return;
            fixed (float* a = _a, b = _b, c = _c)
            {
                MultiplyRectangle(a, b, c, i0, i1, j0, j1);
            }
        }

        private void MultiplyRectangle(float* a, float* b, float* c, int i0, int i1, int j0, int j1)
        {
            int mr = _tileRows, nr = _tileColumns;
            float* panel = PackingBuffer(out float* sliver);
            float* edge = stackalloc float[MaxTileRows * MaxTileColumns];
            for (int jc = j0; jc < j1; jc += PanelColumns)
            {
                int nc = Math.Min(PanelColumns, j1 - jc);
                for (int pc = 0; pc < _k; pc += _depthStep)
                {
                    int kc = Math.Min(_depthStep, _k - pc);
                    // Later depth blocks add to what the first one wrote.
                    float beta = pc == 0 ? _beta : 1f;
                    GemmPacking.PackB(_transposeB, b, _n, _k, jc, nc, pc, kc, nr, panel);
                    for (int ic = i0; ic < i1; ic += mr)
                    {
                        int rows = Math.Min(mr, i1 - ic);
                        GemmPacking.PackA(_transposeA, a, _m, _k, ic, rows, pc, kc, mr, sliver);
                        float* cRow = c + (nint)ic * _n + jc;
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            float* bSliver = panel + (nint)jr * kc;
                            if (rows == mr && cols == nr)
                            {
                                _kernel(sliver, bSliver, kc, cRow + jr, _n, _alpha, beta);
                                continue;
                            }
                            // A partial tile runs the same kernel on a full-size copy, so its sums match a whole tile's.
                            CopyTile(cRow + jr, _n, edge, nr, rows, cols, beta != 0f);
                            _kernel(sliver, bSliver, kc, edge, nr, _alpha, beta);
                            CopyTile(edge, nr, cRow + jr, _n, rows, cols, true);
                        }
                    }
                }
            }
        }

        private static void CopyTile(float* source, nint sourceStride, float* target, nint targetStride, int rows, int cols, bool copy)
        {
            if (!copy) return;
            for (int r = 0; r < rows; r++)
            {
                new ReadOnlySpan<float>(source + r * sourceStride, cols).CopyTo(new Span<float>(target + r * targetStride, cols));
            }
        }
    }
}
