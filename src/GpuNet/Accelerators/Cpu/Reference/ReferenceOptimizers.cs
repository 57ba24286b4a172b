namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>The optimizers' elementwise updates, as written in Keras 2's optimizers.py.</summary>
internal static class ReferenceOptimizers
{
    public static void Sgd(ReadOnlySpan<float> g, float lr, float momentum, bool nesterov, Span<float> w,
        Span<float> velocity)
    {
        if (velocity.IsEmpty)
        {
            for (int i = 0; i < g.Length; i++) w[i] -= lr * g[i];
            return;
        }
        for (int i = 0; i < g.Length; i++)
        {
            float v = momentum * velocity[i] - lr * g[i];
            velocity[i] = v;
            w[i] += nesterov ? momentum * v - lr * g[i] : v;
        }
    }

    public static void Adagrad(ReadOnlySpan<float> g, float lr, float epsilon, Span<float> w, Span<float> a)
    {
        for (int i = 0; i < g.Length; i++)
        {
            a[i] += g[i] * g[i];
            w[i] -= lr * g[i] / (MathF.Sqrt(a[i]) + epsilon);
        }
    }

    public static void Adadelta(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w, Span<float> a,
        Span<float> d)
    {
        for (int i = 0; i < g.Length; i++)
        {
            a[i] = rho * a[i] + (1f - rho) * g[i] * g[i];
            float update = g[i] * MathF.Sqrt(d[i] + epsilon) / MathF.Sqrt(a[i] + epsilon);
            w[i] -= lr * update;
            d[i] = rho * d[i] + (1f - rho) * update * update;
        }
    }

    public static void Rmsprop(ReadOnlySpan<float> g, float lr, float rho, float epsilon, Span<float> w, Span<float> a)
    {
        for (int i = 0; i < g.Length; i++)
        {
            a[i] = rho * a[i] + (1f - rho) * g[i] * g[i];
            w[i] -= lr * g[i] / (MathF.Sqrt(a[i]) + epsilon);
        }
    }

    public static void Adam(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon, Span<float> w,
        Span<float> m, Span<float> v)
    {
        for (int i = 0; i < g.Length; i++)
        {
            m[i] = beta1 * m[i] + (1f - beta1) * g[i];
            v[i] = beta2 * v[i] + (1f - beta2) * g[i] * g[i];
            w[i] -= lrT * m[i] / (MathF.Sqrt(v[i]) + epsilon);
        }
    }

    public static void Adamax(ReadOnlySpan<float> g, float lrT, float beta1, float beta2, float epsilon, Span<float> w,
        Span<float> m, Span<float> u)
    {
        for (int i = 0; i < g.Length; i++)
        {
            m[i] = beta1 * m[i] + (1f - beta1) * g[i];
            u[i] = MathF.Max(beta2 * u[i], MathF.Abs(g[i]));
            w[i] -= lrT * m[i] / (u[i] + epsilon);
        }
    }

    public static void Nadam(ReadOnlySpan<float> g, in NadamScalars s, Span<float> w, Span<float> m, Span<float> v)
    {
        for (int i = 0; i < g.Length; i++)
        {
            float gPrime = g[i] / (1f - s.ScheduleProduct);
            m[i] = s.Beta1 * m[i] + (1f - s.Beta1) * g[i];
            float mPrime = m[i] / (1f - s.NextScheduleProduct);
            v[i] = s.Beta2 * v[i] + (1f - s.Beta2) * g[i] * g[i];
            float vPrime = v[i] / s.SecondMomentCorrection;
            float mBar = (1f - s.MomentumCache) * gPrime + s.NextMomentumCache * mPrime;
            w[i] -= s.LearningRate * mBar / (MathF.Sqrt(vPrime) + s.Epsilon);
        }
    }

    public static double Penalty(ReadOnlySpan<float> w, float l1, float l2)
    {
        double abs = 0, squares = 0;
        foreach (float x in w)
        {
            abs += MathF.Abs(x);
            squares += x * x;
        }
        return l1 * abs + l2 * squares;
    }

    public static void PenaltyGradient(ReadOnlySpan<float> w, float l1, float l2, Span<float> g)
    {
        for (int i = 0; i < w.Length; i++) g[i] += l1 * MathF.Sign(w[i]) + 2f * l2 * w[i];
    }
}
