using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The depth steps of a packed six-row sliver of op(A) ([kc, 6], AVX2's tile, and AVX-512's where op(A) is sparse) that
/// are zero in all six rows, left out of the product. A batch of MNIST images is about four fifths zero pixels: six
/// images together are zero at more than half of the 784 pixels, and six neighbouring pixels are zero together in about
/// two thirds of the images, so the first Dense layer's product and its kernel gradient skip about half their
/// multiply-adds. Finding and moving the steps costs about as much as one tile's step, against the six steps of work
/// the micro-kernel spends on each of the sliver's four or more tiles.
/// </summary>
internal static unsafe class GemmZeroSteps
{
    /// <summary>
    /// Whether six rows of a row-major a (<paramref name="a"/> at the first one's first step, <paramref name="lda"/>
    /// floats apart) are zero together at an eighth or more of their <paramref name="kc"/> steps: the test <see
    /// cref="FastGemm"/> makes on the first packed sliver of a block (a step of ±0 only is zero, one with a NaN is
    /// not), made on a as it lies, so that a dense block need not be packed at all.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool SkipsEnough(float* a, nint lda, int kc)
    {
        var rows = new SixRows(a, lda);
        int zeros = 0, p = 0;
        for (; p + 8 <= kc; p += 8) zeros += BitOperations.PopCount(rows.ZeroSteps(p));
        for (; p < kc; p++) zeros += rows.IsZeroStep(p) ? 1 : 0;
        return Enough(zeros, kc);
    }

    /// <summary>
    /// Whether op(A)'s first six rows (a is [m, k], or [k, m] when transposed) skip enough of their k steps: the look
    /// by which AVX-512 chooses six-row slivers, that find such steps, over twelve-row ones, that are faster on a dense
    /// op(A) (<see cref="FastGemm"/>). A transposed a holds the six values of a step side by side.
    /// </summary>
    public static bool FirstRowsSkipEnough(bool transposeA, float* a, int m, int k)
    {
        if (m < 6) return false;
        if (!transposeA) return SkipsEnough(a, k, k);
        int zeros = 0;
        for (int p = 0; p < k; p++)
        {
            float* step = a + (nint)p * m;
            zeros += step[0] == 0f && step[1] == 0f && step[2] == 0f && step[3] == 0f && step[4] == 0f && step[5] == 0f
                ? 1 : 0;
        }
        return Enough(zeros, k);
    }

    /// <summary>
    /// Lists in <paramref name="steps"/> the steps of six rows of a row-major a (as <see cref="SkipsEnough"/> takes
    /// them) with a value other than ±0 in any of them, in order, and returns their count: what <see cref="Compact"/>
    /// lists for the same rows packed, before packing them (<see cref="GemmPacking.PackSteps"/> then copies those steps
    /// alone). Eight steps are tested at once and their nonzero ones written as one vector of indices (<see
    /// cref="s_nonzeroLanes"/>), so the list costs a few instructions per eight steps where transposing and compacting
    /// a sliver cost several per step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ListRows(float* a, nint lda, int kc, int* steps)
    {
        var rows = new SixRows(a, lda);
        int count = 0, p = 0;
        fixed (int* lanes = s_nonzeroLanes)
        {
            for (; p + 8 <= kc; p += 8)
            {
                uint nonzero = ~rows.ZeroSteps(p) & 0xFFu;
                // All eight lanes are stored; those past the nonzero steps' count are written over by the next eight,
                // and end at most at step p + 8 of the list, since count ≤ p.
                (Vector256.Load(lanes + nonzero * 8) + Vector256.Create(p)).Store(steps + count);
                count += BitOperations.PopCount(nonzero);
            }
        }
        for (; p < kc; p++)
        {
            steps[count] = p;
            count += rows.IsZeroStep(p) ? 0 : 1;
        }
        return count;
    }

    /// <summary>Six rows of a row-major a, <paramref name="lda"/> floats apart from <paramref name="a"/>, tested for
    /// the steps at which all six are zero: the one test of <see cref="SkipsEnough"/> and <see
    /// cref="ListRows"/>.</summary>
    private readonly struct SixRows(float* a, nint lda)
    {
        private readonly float* _a = a;
        private readonly nint _lda = lda;

        /// <summary>Bit i set where step p + i is ±0 in all six rows (a NaN is not zero).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint ZeroSteps(int p)
        {
            float* row = _a + p;
            // The bits of the six values together, less the sign: zero only where all six are ±0.
            Vector256<int> bits = (Vector256.Load(row) | Vector256.Load(row + _lda) | Vector256.Load(row + 2 * _lda)
                | Vector256.Load(row + 3 * _lda) | Vector256.Load(row + 4 * _lda)
                | Vector256.Load(row + 5 * _lda)).AsInt32() & Vector256.Create(int.MaxValue);
            return Vector256.Equals(bits, Vector256<int>.Zero).ExtractMostSignificantBits();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool IsZeroStep(int p)
        {
            float* row = _a + p;
            return row[0] == 0f && row[_lda] == 0f && row[2 * _lda] == 0f && row[3 * _lda] == 0f && row[4 * _lda] == 0f
                && row[5 * _lda] == 0f;
        }
    }

    /// <summary>For each mask of eight lanes, the indices of its set lanes in order, then zeros: 8 × 256
    /// ints.</summary>
    private static readonly int[] s_nonzeroLanes = NonzeroLanes();

    private static int[] NonzeroLanes()
    {
        var lanes = new int[8 * 256];
        for (int mask = 0; mask < 256; mask++)
        {
            int count = 0;
            for (int lane = 0; lane < 8; lane++)
                if ((mask >> lane & 1) != 0) lanes[mask * 8 + count++] = lane;
        }
        return lanes;
    }

    /// <summary>Whether <paramref name="zeros"/> zero steps of <paramref name="kc"/> are worth listing: an eighth or
    /// more. Below that the looks at a block's slivers cost more than the steps they save.</summary>
    public static bool Enough(int zeros, int kc) => zeros * 8 >= kc;

    /// <summary>
    /// Lists in <paramref name="steps"/> the steps of <paramref name="sliver"/> [kc, 6] with a value other than zero,
    /// moves those steps to the front of the sliver in order, and returns their count (<paramref name="kc"/> where
    /// none is zero, the sliver then as it was). A listed step costs the indexed kernel (<see
    /// cref="GemmMicroKernels.Tile6x16Steps"/>) what a dense one costs the dense kernel (1.9 ns each on Zen 3), so
    /// every zero step found is a step saved. Reads two floats past the sliver and may write them back unchanged (the
    /// packing buffer has room).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Compact(float* sliver, int kc, int* steps)
    {
        var sixRows = Vector256.Create(-1, -1, -1, -1, -1, -1, 0, 0).AsSingle();
        int count = 0;
        for (int p = 0; p < kc; p++)
        {
            // Eight floats for six: the two of the next step are masked out of the test.
            Vector256<float> step = Vector256.Load(sliver + p * 6);
            // −0 compares equal to zero, NaN does not: a NaN in op(A) stays in the product. Lanes 6 and 7 are
            // masked to zero, so they always compare equal: all eight bits set means a zero step.
            uint zeros = Vector256.Equals(step & sixRows, Vector256<float>.Zero).ExtractMostSignificantBits();
            // Stored at the next free place whatever it is; a zero step's copy is written over by the next step
            // kept. The two floats past its six land at most on the step just read, or where nothing moved yet, on
            // the very values that are there. No branch: about half the steps of MNIST's slivers are zero, in no
            // pattern a predictor could learn.
            Vector256.Store(step, sliver + count * 6);
            steps[count] = p;
            count += (int)(((zeros ^ 0xFFu) + 0xFFu) >> 8);
        }
        return count;
    }
}
