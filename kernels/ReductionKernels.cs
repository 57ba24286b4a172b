using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// The sums behind the metrics, the weight penalty and the gradient norms. Deterministic: every
/// thread sums a fixed stride of the input in double, then a group adds its threads' sums as a tree
/// in shared memory, and partial sums of several groups are added in group order by one group. The
/// order differs from the CPU's, so results agree with it to rounding, not bit for bit; on one
/// device they repeat exactly.
/// </summary>
public static class ReductionKernels
{
    /// <summary>accumulator[index] += Σ values[0..length). One group.</summary>
    [KernelFor("AccumulateSum")]
    public static void AccumulateSum<TShape>(ArrayView<float> values, int length, int index,
        ArrayView<float> accumulator)
        where TShape : struct, IKernelShape
    {
        var scratch = SharedMemory.Allocate<double>(default(TShape).ReduceThreads);
        int threads = default(TShape).ReduceThreads;
        double sum = 0.0;
        for (int i = Group.IdxX; i < length; i += threads) sum += values[i];
        double total = GroupSum<TShape>(sum, scratch);
        if (Group.IdxX == 0) accumulator[index] += (float)total;
    }

    /// <summary>
    /// accumulator[index] += the rows whose arg-max in prediction equals the arg-max in target,
    /// both [rows, cols]; the first of equal maxima counts, as numpy's argmax. One group.
    /// </summary>
    [KernelFor("AccumulateCorrect")]
    public static void AccumulateCorrect<TShape>(ArrayView<float> prediction, ArrayView<float> target, int rows,
        int cols, int index, ArrayView<float> accumulator)
        where TShape : struct, IKernelShape
    {
        var scratch = SharedMemory.Allocate<double>(default(TShape).ReduceThreads);
        int threads = default(TShape).ReduceThreads;
        double correct = 0.0;
        for (int r = Group.IdxX; r < rows; r += threads)
        {
            long row = (long)r * cols;
            if (ArgMax(prediction, row, cols) == ArgMax(target, row, cols)) correct += 1.0;
        }
        double total = GroupSum<TShape>(correct, scratch);
        if (Group.IdxX == 0) accumulator[index] += (float)total;
    }

    /// <summary>
    /// The penalty's first pass: partials[2g] and partials[2g + 1] = Σ|w| and Σw² over group g's
    /// share of parameter [length] (a fixed stride, so the split depends on the grid size only).
    /// </summary>
    [KernelFor("AccumulatePenalty")]
    public static void PenaltyPartials<TShape>(ArrayView<float> parameter, int length, ArrayView<double> partials)
        where TShape : struct, IKernelShape
    {
        var scratch = SharedMemory.Allocate<double>(default(TShape).ReduceThreads);
        int threads = default(TShape).ReduceThreads;
        int stride = Grid.DimX * threads;
        double absolute = 0.0, square = 0.0;
        for (int i = Grid.IdxX * threads + Group.IdxX; i < length; i += stride)
        {
            float w = parameter[i];
            absolute += w < 0f ? -w : w;
            square += (double)w * w;
        }
        absolute = GroupSum<TShape>(absolute, scratch);
        square = GroupSum<TShape>(square, scratch);
        if (Group.IdxX == 0)
        {
            partials[2 * Grid.IdxX] = absolute;
            partials[2 * Grid.IdxX + 1] = square;
        }
    }

    /// <summary>The penalty's second pass, one group: accumulator[index] += scale · (l1·Σ|w| + l2·Σw²) over
    /// <paramref name="groups"/> partials.</summary>
    [KernelFor("AccumulatePenalty")]
    public static void PenaltyTotal<TShape>(ArrayView<double> partials, int groups, float l1, float l2, float scale,
        int index, ArrayView<float> accumulator)
        where TShape : struct, IKernelShape
    {
        var scratch = SharedMemory.Allocate<double>(default(TShape).ReduceThreads);
        int threads = default(TShape).ReduceThreads;
        double absolute = 0.0, square = 0.0;
        for (int g = Group.IdxX; g < groups; g += threads)
        {
            absolute += partials[2 * g];
            square += partials[2 * g + 1];
        }
        absolute = GroupSum<TShape>(absolute, scratch);
        square = GroupSum<TShape>(square, scratch);
        if (Group.IdxX == 0) accumulator[index] += (float)(scale * (l1 * absolute + l2 * square));
    }

    /// <summary>
    /// The sum of every thread's <paramref name="value"/>, as a tree over shared memory in a fixed
    /// order; every thread of the group must call it, and every thread gets the total.
    /// </summary>
    public static double GroupSum<TShape>(double value, ArrayView<double> scratch) where TShape : struct, IKernelShape
    {
        int t = Group.IdxX;
        scratch[t] = value;
        Group.Barrier();
        for (int half = default(TShape).ReduceThreads / 2; half > 0; half >>= 1)
        {
            if (t < half) scratch[t] += scratch[t + half];
            Group.Barrier();
        }
        double total = scratch[0];
        // No thread may overwrite scratch for a next sum before every thread has read this one.
        Group.Barrier();
        return total;
    }

    private static int ArgMax(ArrayView<float> x, long row, int cols)
    {
        int best = 0;
        for (int c = 1; c < cols; c++)
            if (x[row + c] > x[row + best]) best = c;
        return best;
    }
}
