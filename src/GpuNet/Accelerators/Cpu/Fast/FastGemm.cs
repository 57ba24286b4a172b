using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The tuned GEMM: c [m, n] = alpha · op(a) · op(b) + beta · c, row-major, the contract of
/// <see cref="IAccelerator.Gemm"/>. Blocks of op(A) and op(B) are packed into cache-sized panels
/// (<see cref="GemmPacking"/>) and multiplied tile by tile by a register-blocked micro-kernel
/// (<see cref="GemmMicroKernels"/>) chosen for the CPU. <see cref="ReferenceGemm"/> stays the reference.
/// </summary>
/// <remarks>
/// Loop order, outermost first, with the block sizes of <see cref="GemmBlocking"/> (from the L1 and L2 the CPU
/// reports): columns of C in blocks whose packed op(B) panel fits half of L2; depth in blocks of at most <see
/// cref="GemmBlocking.Depth"/>, the panel [slivers of kc × NR] packed once per depth block, reading op(B) row by row;
/// rows of C in blocks whose packed op(A) [rows, kc] fits a quarter of L2; the panel's slivers, each kept in L1 while
/// the micro-kernel runs down the rows of the block, streaming op(A) slivers from L2. Threads claim disjoint rectangles
/// of C made of whole tiles and pack their own operands, so they share nothing but the inputs. Every element of C is
/// summed in the same order whatever the thread count: by depth block in turn, each block by the micro-kernel in order
/// of p. A sliver of op(A) whose six rows are zero together at many depth steps (the first Dense layer over MNIST's
/// pixels, and its kernel gradient) runs those steps only (<see cref="GemmZeroSteps"/>), with the same bits: always on
/// AVX2, whose tile has six rows, and on AVX-512 where op(A)'s first six rows show enough such steps, which then takes
/// 6 × 32 tiles instead of 12 × 32. Products too small or too thin for whole tiles to pay go to the reference kernel
/// (<see cref="ReferenceIsFaster"/>). A call allocates nothing once each thread's packing buffer exists: the threads
/// are <see cref="CpuParallel"/>'s, and the job's delegate is made once.
/// </remarks>
internal static unsafe class FastGemm
{
    /// <summary>Multiply-adds a second thread must get to be worth waking.</summary>
    private const long WorkPerThread = 1 << 18;

    // Largest tile of any kernel, for sizing the per-thread buffers.
    private const int MaxTileRows = 16, MaxTileColumns = 64;

    [ThreadStatic] private static float[]? t_packing;

    // The nonzero depth steps of each packed sliver of op(A), and how many (GemmZeroSteps), at the sliver's place in
    // the packing buffer divided by its rows: every sliver has at least one step, so the places never overlap.
    [ThreadStatic] private static int[]? t_steps, t_stepCounts;

    // Which call, and which rows of it, the thread's packing buffer holds the whole of op(A) for.
    [ThreadStatic] private static (long Call, int FirstRow, int EndRow) t_packedA;

    // Numbers the calls, so a packed op(A) is never taken for another call's.
    private static long s_calls;

    /// <summary>c [m, n] = alpha · op(a) · op(b) + beta · c on the fastest kernel, over <see
    /// cref="CpuParallel.ThreadCount"/> threads.</summary>
    public static void Multiply(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k,
        float alpha, float beta, float[] c) =>
        Multiply(transposeA, transposeB, a, b, m, n, k, alpha, beta, c, GemmKernelKind.Auto, CpuParallel.ThreadCount);

    /// <summary>
    /// As <see cref="Multiply(bool, bool, float[], float[], int, int, int, float, float, float[])"/>,
    /// with the micro-kernel forced (anything but <see cref="GemmKernelKind.Auto"/> always takes the
    /// packed path, even for tiny sizes) and C split into rectangles for at most
    /// <paramref name="threads"/> threads. The result does not depend on <paramref name="threads"/>.
    /// </summary>
    /// <param name="skipZeroSteps">Whether AVX2's six-row slivers of op(A) leave out their all-zero depth steps
    /// (<see cref="GemmZeroSteps"/>); tests turn it off to compare the two bit for bit.</param>
    internal static void Multiply(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k,
        float alpha, float beta, float[] c, GemmKernelKind kind, int threads, bool skipZeroSteps = true)
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
        if (kind == GemmKernelKind.Auto)
        {
            kind = GemmMicroKernels.Best;
            if (ReferenceIsFaster(transposeA, transposeB, m, n, k, kind))
            {
                ReferenceGemm.Multiply(transposeA, transposeB, a, b, m, n, k, alpha, beta, c);
                return;
            }
        }
        else if (!GemmMicroKernels.IsSupported(kind))
        {
            throw new PlatformNotSupportedException($"This CPU cannot run the {kind} GEMM micro-kernel.");
        }

        var job = t_job ??= new Job();
        job.Set(transposeA, transposeB, a, b, m, n, k, alpha, beta, c, kind, Math.Max(1, threads), skipZeroSteps);
        try
        {
            if (job.Threads == 1) job.RunRegions(0, 1);
            else CpuParallel.For(job.Threads, long.MaxValue / job.Threads, job.RunRegions);
        }
        finally
        {
            job.Clear();
        }
    }

    [ThreadStatic] private static Job? t_job;

    /// <summary>Whether a product of m × n × k multiply-adds is worth a thread of its own.</summary>
    public static bool WorthAThread(int m, int n, int k) => (long)m * n * k >= WorkPerThread;

    /// <summary>How many rectangles of C a multiplication is split into, for tests.</summary>
    internal static int RegionCount(int m, int n, int k, GemmKernelKind kind, int threads)
    {
        var (tileRows, tileColumns) = GemmMicroKernels.TileShape(kind);
        var (rows, columns, _) = PlanRegions(m, n, k, tileRows, tileColumns, threads,
            GemmBlocking.Current(kind).AFloats);
        return rows * columns;
    }

    // Picks the grid of rectangles with the least estimated time on the busiest thread: its share
    // of multiply-adds (whole tiles, so an uneven split shows) plus the packing it does. A thread
    // packs op(A) for its rows and op(B) for its columns, so splitting columns repeats the packing
    // of op(A) on every thread, and splitting rows that of op(B). Costs are in multiply-adds: the
    // kernel does 32 a cycle, and packing an element read from beyond L2 takes about 0.6 cycles
    // whether it is a contiguous copy or a register transpose, so about 20. Threads claim
    // rectangles as they come free; where it is free to, a column split is cut twice as fine, so
    // that a thread the scheduler starts late (another process on its core) takes fewer instead
    // of holding up the rest.
    private static (int Rows, int Columns, int Threads) PlanRegions(int m, int n, int k, int tileRows, int tileColumns,
        int threads, int blockFloats)
    {
        long work = (long)m * n * k;
        threads = (int)Math.Clamp(work / WorkPerThread, 1, Math.Max(1, threads));
        int tilesM = (m + tileRows - 1) / tileRows, tilesN = (n + tileColumns - 1) / tileColumns;
        const double packing = 20;
        (int Rows, int Columns) best = (1, 1);
        double bestCost = double.MaxValue;
        for (int rows = 1; rows <= Math.Min(threads, tilesM); rows++)
        {
            for (int columns = 1; rows * columns <= threads && columns <= tilesN; columns++)
            {
                double height = Math.Min(m, (tilesM + rows - 1) / rows * tileRows);
                double width = Math.Min(n, (tilesN + columns - 1) / columns * tileColumns);
                double cost = height * width * k + packing * (height + width) * k;
                if (cost < bestCost * 0.999) (best, bestCost) = ((rows, columns), cost);
            }
        }
        var (bestRows, bestColumns) = best;
        int participants = bestRows * bestColumns;
        // Finer column rectangles cost nothing where a thread keeps the whole packed op(A) of its
        // rows between them; elsewhere each would pack its operand again.
        long paddedRows = ((long)tilesM + bestRows - 1) / bestRows * tileRows;
        if (bestColumns > 1 && tilesN >= 2 * bestColumns && paddedRows * k <= blockFloats) bestColumns *= 2;
        return (bestRows, bestColumns, participants);
    }

    /// <summary>
    /// Whether the plain kernel is estimated to beat the packed one: for tiny products, and for
    /// thin ones (a single row, a handful of columns) where whole tiles would be mostly padding.
    /// Estimates in nanoseconds, fitted on an AVX-512 Xeon, single-threaded: the packed path pays
    /// a fixed start, the padded tiles' multiply-adds and one packing step per packed element; the
    /// plain kernel pays a smaller fixed start, a call per row of B it adds in (or
    /// per dot product when b is transposed) and its own rate per multiply-add.
    /// </summary>
    internal static bool ReferenceIsFaster(bool transposeA, bool transposeB, int m, int n, int k, GemmKernelKind kind)
    {
        var (tileRows, tileColumns) = GemmMicroKernels.TileShape(kind);
        double paddedM = (m + tileRows - 1) / tileRows * tileRows,
            paddedN = (n + tileColumns - 1) / tileColumns * tileColumns;
        double perMultiplyAdd = kind == GemmKernelKind.Portable ? 0.1 : 0.02;
        double packed = 200 + paddedM * paddedN * k * perMultiplyAdd + (paddedM + paddedN) * k * 0.5;
        double plain = 50 + (transposeA, transposeB) switch
        {
            (_, false) => (double)m * k * (4 + 0.3 * n),
            (false, true) => (double)m * n * (4 + 0.15 * k),
            (true, true) => (double)m * n * k,
        };
        return plain < packed;
    }

    private static void ScaleOnly(Span<float> c, float beta)
    {
        if (beta == 0f) c.Clear();
        else if (beta != 1f) for (int i = 0; i < c.Length; i++) c[i] *= beta;
    }

    /// <summary>
    /// The buffer a thread packs into: an op(A) block, then (past room for the narrow packing's
    /// overrun, see <see cref="GemmPacking.PackA"/>) an op(B) panel, each 64-byte aligned. The panel has room for one
    /// sliver of the longest depth more than it holds, and for the line each sliver may be padded with (<see
    /// cref="GemmPacking.SliverStride"/>: at most one line in 32).
    /// </summary>
    private static float* PackingBuffer(in GemmBlocking blocking, out float* panel)
    {
        const int alignFloats = 16;
        int length = blocking.AFloats + alignFloats + blocking.PanelFloats + MaxDepthSteps * MaxTileColumns
            + blocking.PanelFloats / 32 + alignFloats;
        if (t_packing is null || t_packing.Length < length)
            t_packing = GC.AllocateUninitializedArray<float>(length, pinned: true);
        float* start = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t_packing));
        float* aligned = (float*)(((nint)start + 63) & ~(nint)63);
        panel = aligned + blocking.AFloats + alignFloats;
        return aligned;
    }

    /// <summary>The thread's lists of nonzero steps and their counts (see <see cref="t_steps"/>).</summary>
    private static (int[] Steps, int[] Counts) ZeroStepBuffers(in GemmBlocking blocking, int tileRows)
    {
        int length = blocking.AFloats / tileRows + 1;
        if (t_steps is null || t_steps.Length < length)
        {
            t_steps = GC.AllocateUninitializedArray<int>(length, pinned: true);
            t_stepCounts = GC.AllocateUninitializedArray<int>(length, pinned: true);
        }
        return (t_steps, t_stepCounts!);
    }

    /// <summary>The longest depth block of any kind, so that a panel of one sliver always fits.</summary>
    private const int MaxDepthSteps = 512;

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
        private int _tileRows, _tileColumns, _rowRegions, _columnRegions, _nextRegion;
        private GemmBlocking _blocking;
        private bool _findZeroSteps, _rowsInPlace;
        private long _call;
        private delegate*<float*, float*, int, float*, nint, float, float, void> _kernel;
        // The kernels of six-row slivers read where they lie, and of compacted ones (AVX2's, or AVX-512's 6 × 32).
        private delegate*<float*, nint, float*, int, float*, nint, float, float, void> _rowsKernel;
        private delegate*<float*, float*, int*, int, float*, nint, float, float, void> _stepsKernel;

        // Each participating thread (CpuParallel hands out one index per thread) claims regions until none are left.
        public Job() => RunRegions = (_, _) =>
        {
            for (int region = Interlocked.Increment(ref _nextRegion) - 1; region < Regions; region =
                Interlocked.Increment(ref _nextRegion) - 1)
                RunRegion(region);
        };

        public Action<int, int> RunRegions { get; }

        public int Regions => _rowRegions * _columnRegions;

        public int Threads { get; private set; }

        public void Set(bool transposeA, bool transposeB, float[] a, float[] b, int m, int n, int k, float alpha,
            float beta, float[] c, GemmKernelKind kind, int threads, bool skipZeroSteps)
        {
            (_transposeA, _transposeB, _a, _b, _c, _m, _n, _k, _alpha, _beta) = (transposeA, transposeB, a, b, c, m, n,
                k, alpha, beta);
            (_tileRows, _tileColumns) = GemmMicroKernels.TileShape(kind);
            // Only where each sliver of op(A) meets a few of op(B): the look at its steps then costs next to nothing.
            bool fewSlivers = n < 4 * _tileColumns;
            // AVX-512 takes six-row slivers where op(A) looks sparse: with twelve rows, half as many steps are zero in
            // all of them. The first Dense layer over MNIST (100 images, 256 units, two threads, minimums of
            // alternated runs on the Xeon) took 199–257 µs forward and 142–168 µs for its kernel gradient as 12 × 32
            // tiles, where AVX2's 6 × 16 tiles skipping steps were already faster, and 135–251 and 88–182 µs as
            // 6 × 32 tiles skipping steps; with 512 units, batch 128, 540–583 and 392–459 against 278 and 206–209.
            bool sixRowsOn512 = false;
            if (kind == GemmKernelKind.Vector512 && skipZeroSteps && !fewSlivers)
                fixed (float* pa = a) sixRowsOn512 = GemmZeroSteps.FirstRowsSkipEnough(transposeA, pa, m, k);
            if (sixRowsOn512) _tileRows = 6;
            _rowsKernel = null;
            _stepsKernel = null;
            if (kind == GemmKernelKind.Vector256 || sixRowsOn512)
            {
                _kernel = sixRowsOn512 ? &GemmMicroKernels.Tile6x32 : &GemmMicroKernels.Tile6x16;
                _rowsKernel = sixRowsOn512 ? &GemmMicroKernels.Tile6x32Rows : &GemmMicroKernels.Tile6x16Rows;
                _stepsKernel = sixRowsOn512 ? &GemmMicroKernels.Tile6x32Steps : &GemmMicroKernels.Tile6x16Steps;
            }
            else
            {
                _kernel = kind == GemmKernelKind.Vector512 ? &GemmMicroKernels.Tile12x32
                    : &GemmMicroKernels.TilePortable;
            }
            _blocking = GemmBlocking.Current(kind);
            _findZeroSteps = skipZeroSteps && _stepsKernel != null && !fewSlivers;
            // The six-row kernels read a row-major A's full slivers where they lie (GemmMicroKernels.Tile6x16Rows).
            _rowsInPlace = _rowsKernel != null && !transposeA;
            // Equal depth blocks, so a k just past a multiple of the depth does not leave a sliver of a block.
            int depthBlocks = (k + _blocking.Depth - 1) / _blocking.Depth;
            _depthStep = (k + depthBlocks - 1) / depthBlocks;

            (_rowRegions, _columnRegions, int participants) = PlanRegions(m, n, k, _tileRows, _tileColumns, threads,
                _blocking.AFloats);
            Threads = participants;
            _nextRegion = 0;
            _call = Interlocked.Increment(ref s_calls);
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void MultiplyRectangle(float* a, float* b, float* c, int i0, int i1, int j0, int j1)
        {
            int mr = _tileRows, nr = _tileColumns;
            float* buffer = PackingBuffer(_blocking, out float* panel);
            float* edge = stackalloc float[MaxTileRows * MaxTileColumns];
            int* steps = null, counts = null;
            if (_findZeroSteps)
            {
                var (stepArray, countArray) = ZeroStepBuffers(_blocking, mr);
                steps = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(stepArray));
                counts = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(countArray));
            }
            // Where op(A) for these rows fits the buffer at every depth, each depth block keeps its
            // own place, so a thread that takes a second rectangle of the same rows in this call
            // (column splits), or a second column block, finds op(A) already packed.
            int paddedRows = (i1 - i0 + mr - 1) / mr * mr;
            bool wholeA = (long)paddedRows * _k <= _blocking.AFloats;
            bool packedAlready = wholeA && t_packedA == (_call, i0, i1);
            // Equal column blocks of whole slivers whose panel fits, at the longest depth block.
            int maxBlockColumns = Math.Max(nr, _blocking.PanelFloats / _depthStep / nr * nr);
            int columnBlocks = (j1 - j0 + maxBlockColumns - 1) / maxBlockColumns;
            int blockColumns = ((j1 - j0 + columnBlocks - 1) / columnBlocks + nr - 1) / nr * nr;
            for (int jc = j0; jc < j1; jc += blockColumns)
            {
                int nc = Math.Min(blockColumns, j1 - jc);
                for (int pc = 0; pc < _k; pc += _depthStep)
                {
                    int kc = Math.Min(_depthStep, _k - pc);
                    // Later depth blocks add to what the first one wrote.
                    float beta = pc == 0 ? _beta : 1f;
                    GemmPacking.PackBPanel(_transposeB, b, _n, _k, jc, nc, pc, kc, nr, panel);
                    // Equal blocks of whole slivers, so no block is left with a sliver or two to share the cost of
                    // packing op(B).
                    int maxBlockRows = Math.Max(mr, _blocking.AFloats / kc / mr * mr);
                    int blockCount = (i1 - i0 + maxBlockRows - 1) / maxBlockRows;
                    int blockRows = ((i1 - i0 + blockCount - 1) / blockCount + mr - 1) / mr * mr;
                    float* aBlock = wholeA ? buffer + (nint)paddedRows * pc : buffer;
                    for (int ic = i0; ic < i1; ic += blockRows)
                    {
                        int mc = Math.Min(blockRows, i1 - ic);
                        // A row-major A's full slivers are read where they lie, unless the first six rows skip enough
                        // steps: then each full sliver's nonzero steps are listed from A as it lies and packed alone
                        // (ListRows, PackSteps). A last sliver short of rows is packed in its place with the zeros past
                        // them, and compacted where the others are listed. A transposed A is packed whole and its zero
                        // steps found in the packed slivers (FindZeroSteps). The choices depend on A alone, so a thread
                        // that finds this block packed already makes the one it packed and listed for.
                        bool inPlace = _rowsInPlace && mc >= mr;
                        bool listed = _findZeroSteps
                            && (!inPlace || GemmZeroSteps.SkipsEnough(a + (nint)ic * _k + pc, _k, kc));
                        int fullRows = inPlace ? mc / mr * mr : 0;
                        int firstPlace = (int)((aBlock - buffer) / mr);
                        if (!packedAlready && listed && inPlace)
                        {
                            for (int r = 0; r < fullRows; r += mr)
                            {
                                int place = firstPlace + r / mr * kc;
                                float* rows = a + (nint)(ic + r) * _k + pc;
                                counts[place] = GemmZeroSteps.ListRows(rows, _k, kc, steps + place);
                                GemmPacking.PackSteps(rows, _k, steps + place, counts[place], aBlock + (nint)r * kc);
                            }
                        }
                        if (!packedAlready && fullRows < mc)
                        {
                            float* packed = aBlock + (nint)fullRows * kc;
                            GemmPacking.PackA(_transposeA, a, _m, _k, ic + fullRows, mc - fullRows, pc, kc, mr, packed);
                            if (listed && inPlace)
                            {
                                int place = firstPlace + fullRows / mr * kc;
                                counts[place] = GemmZeroSteps.Compact(packed, kc, steps + place);
                            }
                            else if (listed) FindZeroSteps(buffer, aBlock, mc, kc, steps, counts);
                        }
                        float* bSliver = panel;
                        nint sliverStride = GemmPacking.SliverStride(kc, nr);
                        for (int jr = jc; jr < jc + nc; jr += nr, bSliver += sliverStride)
                        {
                            int cols = Math.Min(nr, jc + nc - jr);
                            float* aSliver = aBlock;
                            // Each sliver's place among the step lists: its offset in the buffer over its rows.
                            int place = firstPlace;
                            for (int ir = ic; ir < ic + mc; ir += mr, aSliver += (nint)kc * mr, place += kc)
                            {
                                int rows = Math.Min(mr, ic + mc - ir);
                                float* cTile = c + (nint)ir * _n + jr;
                                int count = listed ? counts[place] : kc;
                                float* aRows = inPlace && !listed && rows == mr ? a + (nint)ir * _k + pc : null;
                                if (rows == mr && cols == nr)
                                {
                                    RunTile(aSliver, aRows, bSliver, kc, steps + place, count, cTile, _n, beta);
                                    continue;
                                }
                                // A partial tile runs the same kernel on a full-size copy, so its sums match a whole
                                // tile's.
                                CopyTile(cTile, _n, edge, nr, rows, cols, beta != 0f);
                                RunTile(aSliver, aRows, bSliver, kc, steps + place, count, edge, nr, beta);
                                CopyTile(edge, nr, cTile, _n, rows, cols, true);
                            }
                        }
                    }
                }
                packedAlready = wholeA;
            }
            t_packedA = wholeA ? (_call, i0, i1) : default;
        }

        /// <summary>A sliver read where it lies in A (<paramref name="aRows"/> not null) takes the kernel that reads it
        /// there; one with fewer listed steps than its depth was compacted: it takes the indexed kernel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void RunTile(float* aSliver, float* aRows, float* bSliver, int kc, int* steps, int count, float* c,
            nint ldc, float beta)
        {
            if (aRows != null) _rowsKernel(aRows, _k, bSliver, kc, c, ldc, _alpha, beta);
            else if (count < kc) _stepsKernel(aSliver, bSliver, steps, count, c, ldc, _alpha, beta);
            else _kernel(aSliver, bSliver, kc, c, ldc, _alpha, beta);
        }

        /// <summary>
        /// Lists the nonzero steps of each sliver of a packed block (see <see cref="t_steps"/>). Where the first
        /// sliver skips less than an eighth of its steps, the others are taken as dense unseen: a product of dense
        /// operands (a sigmoid's or batch norm's outputs) then pays for one sliver's look, not the block's, and so
        /// does one of hidden activations after ReLU and dropout, whose few zero steps did not pay for the looks
        /// (a 512×512×120 kernel gradient took 5–11% longer with every sliver looked at).
        /// </summary>
        private static void FindZeroSteps(float* buffer, float* block, int rows, int kc, int* steps, int* counts)
        {
            bool look = true;
            for (float* sliver = block; rows > 0; rows -= 6, sliver += (nint)kc * 6)
            {
                int place = (int)((sliver - buffer) / 6);
                counts[place] = look ? GemmZeroSteps.Compact(sliver, kc, steps + place) : kc;
                if (sliver == block) look = GemmZeroSteps.Enough(kc - counts[place], kc);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void CopyTile(float* source, nint sourceStride, float* target, nint targetStride, int rows,
            int cols, bool copy)
        {
            if (!copy) return;
            for (int r = 0; r < rows; r++)
            {
                new ReadOnlySpan<float>(source + r * sourceStride,
                    cols).CopyTo(new Span<float>(target + r * targetStride, cols));
            }
        }
    }
}
