using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using GpuNet.Accelerators.Cpu.Reference;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The optimizers' elementwise updates as the CPU accelerator runs them: SIMD over whole vectors,
/// the remainder handed to the reference <see cref="ReferenceOptimizers"/>. Each update does the
/// reference's arithmetic in the reference's order, with no fused multiply-add (which rounds
/// once instead of twice), so both agree bit for bit and a run gives the same weights whichever
/// path computed them. Asked to, each also returns Σg² of the gradient it read (for the gradient
/// norms), taken in its own loop (<see cref="AddSquares"/>).
/// </summary>
internal static class FastOptimizers
{
    /// <summary>
    /// How each update's loop is compiled: on its own, fully optimised from the first call. Inlined into the wrapper
    /// that picks it, the loop of a tiered-up SGD with the sum was left calling <see cref="AddSquares"/>, a tuple's
    /// constructor and <see cref="SquaresInLoop"/>'s getter at every step (the inliner's budget spent), with its lanes
    /// on the stack.
    /// </summary>
    private const MethodImplOptions Worker = MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization;

    public static double Sgd(ReadOnlySpan<float> g, float lr, float momentum, bool nesterov, Span<float> w,
        Span<float> velocity, bool sumSquares = false) =>
        sumSquares ? Sgd<SquaresSummed>(g, lr, momentum, nesterov, w, velocity)
            : Sgd<SquaresSkipped>(g, lr, momentum, nesterov, w, velocity);

    [MethodImpl(Worker)]
    private static double Sgd<TSquares>(ReadOnlySpan<float> g, float lr, float momentum, bool nesterov, Span<float> w,
        Span<float> velocity)
        where TSquares : struct, ISquares
    {
        CheckHolds(g.Length, w.Length, velocity.IsEmpty ? g.Length : velocity.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w),
            vs = ref MemoryMarshal.GetReference(velocity);
        var rate = new Vector<float>(lr);
        var mu = new Vector<float>(momentum);
        Vector256<double> squaresLow = default, squaresHigh = default;
        int i = 0;
        if (velocity.IsEmpty)
        {
            for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
                (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
                (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * gv).StoreUnsafe(ref ws, (nuint)i);
            }
            double plainSquares = TSquares.Total(g, i, squaresLow, squaresHigh);
            ReferenceOptimizers.Sgd(g[i..], lr, momentum, nesterov, w[i..], default);
            return plainSquares;
        }
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
            var step = rate * gv;
            var v = mu * Vector.LoadUnsafe(ref vs, (nuint)i) - step;
            v.StoreUnsafe(ref vs, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) + (nesterov ? mu * v - step : v)).StoreUnsafe(ref ws, (nuint)i);
        }
        double squares = TSquares.Total(g, i, squaresLow, squaresHigh);
        ReferenceOptimizers.Sgd(g[i..], lr, momentum, nesterov, w[i..], velocity[i..]);
        return squares;
    }

    public static double Adagrad(ReadOnlySpan<float> g, float lr, float epsilon, Span<float> w, Span<float> a,
        bool sumSquares = false) =>
        sumSquares ? Adagrad<SquaresSummed>(g, lr, epsilon, w, a)
            : Adagrad<SquaresSkipped>(g, lr, epsilon, w, a);

    [MethodImpl(Worker)]
    private static double Adagrad<TSquares>(ReadOnlySpan<float> g, float lr, float epsilon, Span<float> w,
        Span<float> a)
        where TSquares : struct, ISquares
    {
        CheckHolds(g.Length, w.Length, a.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w),
            accumulators = ref MemoryMarshal.GetReference(a);
        var rate = new Vector<float>(lr);
        var eps = new Vector<float>(epsilon);
        Vector256<double> squaresLow = default, squaresHigh = default;
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
            var av = Vector.LoadUnsafe(ref accumulators, (nuint)i) + gv * gv;
            av.StoreUnsafe(ref accumulators, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * gv / (Vector.SquareRoot(av) + eps)).StoreUnsafe(ref ws,
                (nuint)i);
        }
        double squares = TSquares.Total(g, i, squaresLow, squaresHigh);
        ReferenceOptimizers.Adagrad(g[i..], lr, epsilon, w[i..], a[i..]);
        return squares;
    }

    public static double Adadelta(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w,
        Span<float> a, Span<float> d, bool sumSquares = false) =>
        sumSquares ? Adadelta<SquaresSummed>(g, lr, rho, epsilon, w, a, d)
            : Adadelta<SquaresSkipped>(g, lr, rho, epsilon, w, a, d);

    [MethodImpl(Worker)]
    private static double Adadelta<TSquares>(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w,
        Span<float> a, Span<float> d)
        where TSquares : struct, ISquares
    {
        CheckHolds(g.Length, w.Length, a.Length, d.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w);
        ref float accumulators = ref MemoryMarshal.GetReference(a), deltas = ref MemoryMarshal.GetReference(d);
        var rate = new Vector<float>(lr);
        var decay = new Vector<float>(rho);
        var complement = new Vector<float>(1f - rho);
        var eps = new Vector<float>(epsilon);
        Vector256<double> squaresLow = default, squaresHigh = default;
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
            var av = decay * Vector.LoadUnsafe(ref accumulators, (nuint)i) + complement * gv * gv;
            av.StoreUnsafe(ref accumulators, (nuint)i);
            var dv = Vector.LoadUnsafe(ref deltas, (nuint)i);
            var update = gv * Vector.SquareRoot(dv + eps) / Vector.SquareRoot(av + eps);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * update).StoreUnsafe(ref ws, (nuint)i);
            (decay * dv + complement * update * update).StoreUnsafe(ref deltas, (nuint)i);
        }
        double squares = TSquares.Total(g, i, squaresLow, squaresHigh);
        ReferenceOptimizers.Adadelta(g[i..], lr, rho, epsilon, w[i..], a[i..], d[i..]);
        return squares;
    }

    public static double Rmsprop(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w,
        Span<float> a, bool sumSquares = false) =>
        sumSquares ? Rmsprop<SquaresSummed>(g, lr, rho, epsilon, w, a)
            : Rmsprop<SquaresSkipped>(g, lr, rho, epsilon, w, a);

    [MethodImpl(Worker)]
    private static double Rmsprop<TSquares>(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w,
        Span<float> a)
        where TSquares : struct, ISquares
    {
        CheckHolds(g.Length, w.Length, a.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w),
            accumulators = ref MemoryMarshal.GetReference(a);
        var rate = new Vector<float>(lr);
        var decay = new Vector<float>(rho);
        var complement = new Vector<float>(1f - rho);
        var eps = new Vector<float>(epsilon);
        Vector256<double> squaresLow = default, squaresHigh = default;
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
            var av = decay * Vector.LoadUnsafe(ref accumulators, (nuint)i) + complement * gv * gv;
            av.StoreUnsafe(ref accumulators, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * gv / (Vector.SquareRoot(av) + eps)).StoreUnsafe(ref ws,
                (nuint)i);
        }
        double squares = TSquares.Total(g, i, squaresLow, squaresHigh);
        ReferenceOptimizers.Rmsprop(g[i..], lr, rho, epsilon, w[i..], a[i..]);
        return squares;
    }

    public static double Adam(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon,
        Span<float> w, Span<float> m, Span<float> v, bool sumSquares = false) =>
        sumSquares ? Adam<SquaresSummed>(g, lrT, beta1, beta2, epsilon, w, m, v)
            : Adam<SquaresSkipped>(g, lrT, beta1, beta2, epsilon, w, m, v);

    [MethodImpl(Worker)]
    private static double Adam<TSquares>(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon,
        Span<float> w, Span<float> m, Span<float> v)
        where TSquares : struct, ISquares
    {
        CheckHolds(g.Length, w.Length, m.Length, v.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w);
        ref float firsts = ref MemoryMarshal.GetReference(m), seconds = ref MemoryMarshal.GetReference(v);
        var rate = new Vector<float>(lrT);
        var b1 = new Vector<float>(beta1);
        var b1Complement = new Vector<float>(1f - beta1);
        var b2 = new Vector<float>(beta2);
        var b2Complement = new Vector<float>(1f - beta2);
        var eps = new Vector<float>(epsilon);
        Vector256<double> squaresLow = default, squaresHigh = default;
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
            var mv = b1 * Vector.LoadUnsafe(ref firsts, (nuint)i) + b1Complement * gv;
            var vv = b2 * Vector.LoadUnsafe(ref seconds, (nuint)i) + b2Complement * gv * gv;
            mv.StoreUnsafe(ref firsts, (nuint)i);
            vv.StoreUnsafe(ref seconds, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * mv / (Vector.SquareRoot(vv) + eps)).StoreUnsafe(ref ws,
                (nuint)i);
        }
        double squares = TSquares.Total(g, i, squaresLow, squaresHigh);
        ReferenceOptimizers.Adam(g[i..], lrT, beta1, beta2, epsilon, w[i..], m[i..], v[i..]);
        return squares;
    }

    public static double Adamax(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon,
        Span<float> w, Span<float> m, Span<float> u, bool sumSquares = false) =>
        sumSquares ? Adamax<SquaresSummed>(g, lrT, beta1, beta2, epsilon, w, m, u)
            : Adamax<SquaresSkipped>(g, lrT, beta1, beta2, epsilon, w, m, u);

    [MethodImpl(Worker)]
    private static double Adamax<TSquares>(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon,
        Span<float> w, Span<float> m, Span<float> u)
        where TSquares : struct, ISquares
    {
        CheckHolds(g.Length, w.Length, m.Length, u.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w);
        ref float firsts = ref MemoryMarshal.GetReference(m), norms = ref MemoryMarshal.GetReference(u);
        var rate = new Vector<float>(lrT);
        var b1 = new Vector<float>(beta1);
        var b1Complement = new Vector<float>(1f - beta1);
        var b2 = new Vector<float>(beta2);
        var eps = new Vector<float>(epsilon);
        Vector256<double> squaresLow = default, squaresHigh = default;
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
            var mv = b1 * Vector.LoadUnsafe(ref firsts, (nuint)i) + b1Complement * gv;
            // Vector.Max is IEEE 754's maximum, as MathF.Max: NaN propagates and +0 beats −0.
            var uv = Vector.Max(b2 * Vector.LoadUnsafe(ref norms, (nuint)i), Vector.Abs(gv));
            mv.StoreUnsafe(ref firsts, (nuint)i);
            uv.StoreUnsafe(ref norms, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * mv / (uv + eps)).StoreUnsafe(ref ws, (nuint)i);
        }
        double squares = TSquares.Total(g, i, squaresLow, squaresHigh);
        ReferenceOptimizers.Adamax(g[i..], lrT, beta1, beta2, epsilon, w[i..], m[i..], u[i..]);
        return squares;
    }

    public static double Nadam(ReadOnlySpan<float> g, in NadamScalars s, Span<float> w, Span<float> m, Span<float> v,
        bool sumSquares = false) =>
        sumSquares ? Nadam<SquaresSummed>(g, s, w, m, v)
            : Nadam<SquaresSkipped>(g, s, w, m, v);

    [MethodImpl(Worker)]
    private static double Nadam<TSquares>(ReadOnlySpan<float> g, in NadamScalars s, Span<float> w, Span<float> m,
        Span<float> v)
        where TSquares : struct, ISquares
    {
        CheckHolds(g.Length, w.Length, m.Length, v.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w);
        ref float firsts = ref MemoryMarshal.GetReference(m), seconds = ref MemoryMarshal.GetReference(v);
        var gradientCorrection = new Vector<float>(1f - s.ScheduleProduct);
        var momentCorrection = new Vector<float>(1f - s.NextScheduleProduct);
        var secondCorrection = new Vector<float>(s.SecondMomentCorrection);
        var b1 = new Vector<float>(s.Beta1);
        var b1Complement = new Vector<float>(1f - s.Beta1);
        var b2 = new Vector<float>(s.Beta2);
        var b2Complement = new Vector<float>(1f - s.Beta2);
        var gradientWeight = new Vector<float>(1f - s.MomentumCache);
        var momentWeight = new Vector<float>(s.NextMomentumCache);
        var rate = new Vector<float>(s.LearningRate);
        var eps = new Vector<float>(s.Epsilon);
        Vector256<double> squaresLow = default, squaresHigh = default;
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            (squaresLow, squaresHigh) = TSquares.Add(gv, squaresLow, squaresHigh);
            var gPrime = gv / gradientCorrection;
            var mv = b1 * Vector.LoadUnsafe(ref firsts, (nuint)i) + b1Complement * gv;
            var mPrime = mv / momentCorrection;
            var vv = b2 * Vector.LoadUnsafe(ref seconds, (nuint)i) + b2Complement * gv * gv;
            var vPrime = vv / secondCorrection;
            var mBar = gradientWeight * gPrime + momentWeight * mPrime;
            mv.StoreUnsafe(ref firsts, (nuint)i);
            vv.StoreUnsafe(ref seconds, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * mBar / (Vector.SquareRoot(vPrime) + eps)).StoreUnsafe(ref ws,
                (nuint)i);
        }
        double squares = TSquares.Total(g, i, squaresLow, squaresHigh);
        ReferenceOptimizers.Nadam(g[i..], s, w[i..], m[i..], v[i..]);
        return squares;
    }

    /// <summary>
    /// l1·Σ|w| + l2·Σw², as <see cref="ReferenceOptimizers.Penalty"/> but with the sums in eight
    /// double lanes each instead of one chain: the reference waits on each double addition in
    /// turn, which made the per-step gradient-norm sum cost more than the optimizer's update. The
    /// order of the additions is fixed, so the result does not vary run to run; it differs from
    /// the reference's only by the rounding of a double sum. Σ|w| is taken only where l1 is not
    /// zero: the gradient norms after every step and L2-only regularizers need the squares alone.
    /// </summary>
    public static double Penalty(ReadOnlySpan<float> w, float l1, float l2)
    {
        double squares = SumOfSquares(w);
        return l1 == 0f ? l2 * squares : l1 * SumOfAbsolutes(w) + l2 * squares;
    }

    /// <summary>Σw², each square a float product (as in the reference) widened and added in eight double
    /// lanes, then the tail's one at a time.</summary>
    private static double SumOfSquares(ReadOnlySpan<float> w)
    {
        ref float ws = ref MemoryMarshal.GetReference(w);
        Vector256<double> low = default, high = default;
        int i = 0;
        for (; i <= w.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            (low, high) = AddSquares(Vector256.LoadUnsafe(ref ws, (nuint)i), low, high);
        return SquaresTotal(low, high, w[i..]);
    }

    // An update takes Σg² in its own loop with the steps of SumOfSquares, and so to its bits, where its
    // Vector<float> steps are eight floats; elsewhere the sum is a pass of its own.
    private static bool SquaresInLoop => Vector<float>.Count == Vector256<float>.Count;

    // The lanes passed and returned by value, so that they stay in registers. An update totals them before it calls
    // the reference for its tail: lanes still needed after a call were kept on the stack at every step of the loop,
    // and each step's additions then waited on their stores (Adam over 335,000 floats on Zen 3 took 185 µs with the
    // sum against 111 without).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Low, Vector256<double> High) AddSquares(Vector256<float> x,
        Vector256<double> low, Vector256<double> high)
    {
        var (squaresLow, squaresHigh) = Vector256.Widen(x * x);
        return (low + squaresLow, high + squaresHigh);
    }

    private static double SquaresTotal(Vector256<double> low, Vector256<double> high, ReadOnlySpan<float> tail)
    {
        double sum = Vector256.Sum(low + high);
        foreach (float x in tail) sum += x * x;
        return sum;
    }

    /// <summary>
    /// Whether an update sums its gradient's squares, as a type argument: each update is compiled once with the
    /// sum and once without, so neither loop tests a flag. (With a flag tested in the loop, Adam with the sum
    /// took longer, compiled as the CLI compiles it, than Adam followed by a pass of its own.)
    /// </summary>
    private interface ISquares
    {
        /// <summary>Adds the squares of an update's step of the gradient to the lanes.</summary>
        static abstract (Vector256<double> Low, Vector256<double> High) Add(Vector<float> g, Vector256<double> low,
            Vector256<double> high);

        /// <summary>Σg² (0 where not summed), its first <paramref name="looped"/> elements' squares in the
        /// lanes.</summary>
        static abstract double Total(ReadOnlySpan<float> g, int looped, Vector256<double> low,
            Vector256<double> high);
    }

    private struct SquaresSummed : ISquares
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<double> Low, Vector256<double> High) Add(Vector<float> g, Vector256<double> low,
            Vector256<double> high) => SquaresInLoop ? AddSquares(g.AsVector256(), low, high) : (low, high);

        public static double Total(ReadOnlySpan<float> g, int looped, Vector256<double> low,
            Vector256<double> high) => SquaresInLoop ? SquaresTotal(low, high, g[looped..]) : SumOfSquares(g);
    }

    private struct SquaresSkipped : ISquares
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<double> Low, Vector256<double> High) Add(Vector<float> g, Vector256<double> low,
            Vector256<double> high) => (low, high);

        public static double Total(ReadOnlySpan<float> g, int looped, Vector256<double> low,
            Vector256<double> high) => 0;
    }

    /// <summary>Σ|w| in eight double lanes, in the same order as <see cref="SumOfSquares"/>.</summary>
    private static double SumOfAbsolutes(ReadOnlySpan<float> w)
    {
        ref float ws = ref MemoryMarshal.GetReference(w);
        Vector256<double> abs0 = default, abs1 = default;
        int i = 0;
        for (; i <= w.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var (a0, a1) = Vector256.Widen(Vector256.Abs(Vector256.LoadUnsafe(ref ws, (nuint)i)));
            abs0 += a0;
            abs1 += a1;
        }
        double abs = Vector256.Sum(abs0 + abs1);
        for (; i < w.Length; i++) abs += MathF.Abs(Unsafe.Add(ref ws, i));
        return abs;
    }

    // The loops read and write through unchecked references, so every buffer must hold the gradient's length.
    private static void CheckHolds(int length, params ReadOnlySpan<int> buffers)
    {
        foreach (int held in buffers)
        {
            if (held < length)
                throw new ArgumentException($"An optimizer buffer holds {held} elements; the gradient has {length}.");
        }
    }
}
