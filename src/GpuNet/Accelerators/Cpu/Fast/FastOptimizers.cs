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
/// path computed them.
/// </summary>
internal static class FastOptimizers
{
    public static void Sgd(ReadOnlySpan<float> g, float lr, float momentum, bool nesterov, Span<float> w,
        Span<float> velocity)
    {
        CheckHolds(g.Length, w.Length, velocity.IsEmpty ? g.Length : velocity.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w),
            vs = ref MemoryMarshal.GetReference(velocity);
        var rate = new Vector<float>(lr);
        var mu = new Vector<float>(momentum);
        int i = 0;
        if (velocity.IsEmpty)
        {
            for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * Vector.LoadUnsafe(ref gs, (nuint)i)).StoreUnsafe(ref ws,
                    (nuint)i);
            ReferenceOptimizers.Sgd(g[i..], lr, momentum, nesterov, w[i..], default);
            return;
        }
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var step = rate * Vector.LoadUnsafe(ref gs, (nuint)i);
            var v = mu * Vector.LoadUnsafe(ref vs, (nuint)i) - step;
            v.StoreUnsafe(ref vs, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) + (nesterov ? mu * v - step : v)).StoreUnsafe(ref ws, (nuint)i);
        }
        ReferenceOptimizers.Sgd(g[i..], lr, momentum, nesterov, w[i..], velocity[i..]);
    }

    public static void Adagrad(ReadOnlySpan<float> g, float lr, float epsilon, Span<float> w, Span<float> a)
    {
        CheckHolds(g.Length, w.Length, a.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w),
            accumulators = ref MemoryMarshal.GetReference(a);
        var rate = new Vector<float>(lr);
        var eps = new Vector<float>(epsilon);
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            var av = Vector.LoadUnsafe(ref accumulators, (nuint)i) + gv * gv;
            av.StoreUnsafe(ref accumulators, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * gv / (Vector.SquareRoot(av) + eps)).StoreUnsafe(ref ws,
                (nuint)i);
        }
        ReferenceOptimizers.Adagrad(g[i..], lr, epsilon, w[i..], a[i..]);
    }

    public static void Adadelta(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w, Span<float> a,
        Span<float> d)
    {
        CheckHolds(g.Length, w.Length, a.Length, d.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w);
        ref float accumulators = ref MemoryMarshal.GetReference(a), deltas = ref MemoryMarshal.GetReference(d);
        var rate = new Vector<float>(lr);
        var decay = new Vector<float>(rho);
        var complement = new Vector<float>(1f - rho);
        var eps = new Vector<float>(epsilon);
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            var av = decay * Vector.LoadUnsafe(ref accumulators, (nuint)i) + complement * gv * gv;
            av.StoreUnsafe(ref accumulators, (nuint)i);
            var dv = Vector.LoadUnsafe(ref deltas, (nuint)i);
            var update = gv * Vector.SquareRoot(dv + eps) / Vector.SquareRoot(av + eps);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * update).StoreUnsafe(ref ws, (nuint)i);
            (decay * dv + complement * update * update).StoreUnsafe(ref deltas, (nuint)i);
        }
        ReferenceOptimizers.Adadelta(g[i..], lr, rho, epsilon, w[i..], a[i..], d[i..]);
    }

    public static void Rmsprop(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w, Span<float> a)
    {
        CheckHolds(g.Length, w.Length, a.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w),
            accumulators = ref MemoryMarshal.GetReference(a);
        var rate = new Vector<float>(lr);
        var decay = new Vector<float>(rho);
        var complement = new Vector<float>(1f - rho);
        var eps = new Vector<float>(epsilon);
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            var av = decay * Vector.LoadUnsafe(ref accumulators, (nuint)i) + complement * gv * gv;
            av.StoreUnsafe(ref accumulators, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * gv / (Vector.SquareRoot(av) + eps)).StoreUnsafe(ref ws,
                (nuint)i);
        }
        ReferenceOptimizers.Rmsprop(g[i..], lr, rho, epsilon, w[i..], a[i..]);
    }

    public static void Adam(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon, Span<float> w,
        Span<float> m, Span<float> v)
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
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            var mv = b1 * Vector.LoadUnsafe(ref firsts, (nuint)i) + b1Complement * gv;
            var vv = b2 * Vector.LoadUnsafe(ref seconds, (nuint)i) + b2Complement * gv * gv;
            mv.StoreUnsafe(ref firsts, (nuint)i);
            vv.StoreUnsafe(ref seconds, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * mv / (Vector.SquareRoot(vv) + eps)).StoreUnsafe(ref ws,
                (nuint)i);
        }
        ReferenceOptimizers.Adam(g[i..], lrT, beta1, beta2, epsilon, w[i..], m[i..], v[i..]);
    }

    public static void Adamax(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon, Span<float> w,
        Span<float> m, Span<float> u)
    {
        CheckHolds(g.Length, w.Length, m.Length, u.Length);
        ref float gs = ref MemoryMarshal.GetReference(g), ws = ref MemoryMarshal.GetReference(w);
        ref float firsts = ref MemoryMarshal.GetReference(m), norms = ref MemoryMarshal.GetReference(u);
        var rate = new Vector<float>(lrT);
        var b1 = new Vector<float>(beta1);
        var b1Complement = new Vector<float>(1f - beta1);
        var b2 = new Vector<float>(beta2);
        var eps = new Vector<float>(epsilon);
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
            var mv = b1 * Vector.LoadUnsafe(ref firsts, (nuint)i) + b1Complement * gv;
            // Vector.Max is IEEE 754's maximum, as MathF.Max: NaN propagates and +0 beats −0.
            var uv = Vector.Max(b2 * Vector.LoadUnsafe(ref norms, (nuint)i), Vector.Abs(gv));
            mv.StoreUnsafe(ref firsts, (nuint)i);
            uv.StoreUnsafe(ref norms, (nuint)i);
            (Vector.LoadUnsafe(ref ws, (nuint)i) - rate * mv / (uv + eps)).StoreUnsafe(ref ws, (nuint)i);
        }
        ReferenceOptimizers.Adamax(g[i..], lrT, beta1, beta2, epsilon, w[i..], m[i..], u[i..]);
    }

    public static void Nadam(ReadOnlySpan<float> g, in NadamScalars s, Span<float> w, Span<float> m, Span<float> v)
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
        int i = 0;
        for (; i <= g.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
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
        ReferenceOptimizers.Nadam(g[i..], s, w[i..], m[i..], v[i..]);
    }

    // The loops read and write through unchecked references, so every buffer must hold the gradient's length.
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
    /// lanes.</summary>
    private static double SumOfSquares(ReadOnlySpan<float> w)
    {
        ref float ws = ref MemoryMarshal.GetReference(w);
        Vector256<double> squares0 = default, squares1 = default;
        int i = 0;
        for (; i <= w.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var x = Vector256.LoadUnsafe(ref ws, (nuint)i);
            var (s0, s1) = Vector256.Widen(x * x);
            squares0 += s0;
            squares1 += s1;
        }
        double squares = Vector256.Sum(squares0 + squares1);
        for (; i < w.Length; i++) squares += Unsafe.Add(ref ws, i) * Unsafe.Add(ref ws, i);
        return squares;
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

    private static void CheckHolds(int length, params ReadOnlySpan<int> buffers)
    {
        foreach (int held in buffers)
        {
            if (held < length)
                throw new ArgumentException($"An optimizer buffer holds {held} elements; the gradient has {length}.");
        }
    }
}
