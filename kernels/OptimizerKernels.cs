using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// The optimizers' fused elementwise updates, Keras 2's rules as the CPU reference runs them.
/// Scalars that depend only on the step (the decayed rate, bias corrections) come from the host.
/// </summary>
public static class OptimizerKernels
{
    /// <summary>
    /// SGD: v = momentum·v − lr·g; w += v, or w += momentum·v − lr·g with Nesterov. Without momentum
    /// (<paramref name="hasVelocity"/> 0) w −= lr·g.
    /// </summary>
    [KernelFor("SgdUpdate")]
    public static void Sgd(ArrayView<float> gradient, int length, float learningRate, float momentum, int nesterov,
        ArrayView<float> parameter, int hasVelocity, ArrayView<float> velocity)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float g = gradient[i];
            if (hasVelocity == 0)
            {
                parameter[i] -= learningRate * g;
                continue;
            }
            float v = momentum * velocity[i] - learningRate * g;
            velocity[i] = v;
            parameter[i] += nesterov != 0 ? momentum * v - learningRate * g : v;
        }
    }

    /// <summary>Adagrad: a += g²; w −= lr·g / (√a + ε).</summary>
    [KernelFor("AdagradUpdate")]
    public static void Adagrad(ArrayView<float> gradient, int length, float learningRate, float epsilon,
        ArrayView<float> parameter, ArrayView<float> accumulator)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float g = gradient[i];
            float a = accumulator[i] + g * g;
            accumulator[i] = a;
            parameter[i] -= learningRate * g / (MathF.Sqrt(a) + epsilon);
        }
    }

    /// <summary>Adadelta: a = ρa + (1−ρ)g²; u = g·√(d + ε)/√(a + ε); w −= lr·u;
    /// d = ρd + (1−ρ)u².</summary>
    [KernelFor("AdadeltaUpdate")]
    public static void Adadelta(ArrayView<float> gradient, int length, float learningRate, float rho, float epsilon,
        ArrayView<float> parameter, ArrayView<float> accumulator, ArrayView<float> deltaAccumulator)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float g = gradient[i];
            float a = rho * accumulator[i] + (1f - rho) * g * g;
            accumulator[i] = a;
            float update = g * MathF.Sqrt(deltaAccumulator[i] + epsilon) / MathF.Sqrt(a + epsilon);
            parameter[i] -= learningRate * update;
            deltaAccumulator[i] = rho * deltaAccumulator[i] + (1f - rho) * update * update;
        }
    }

    /// <summary>RMSprop: a = ρa + (1−ρ)g²; w −= lr·g / (√a + ε).</summary>
    [KernelFor("RmspropUpdate")]
    public static void Rmsprop(ArrayView<float> gradient, int length, float learningRate, float rho, float epsilon,
        ArrayView<float> parameter, ArrayView<float> accumulator)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float g = gradient[i];
            float a = rho * accumulator[i] + (1f - rho) * g * g;
            accumulator[i] = a;
            parameter[i] -= learningRate * g / (MathF.Sqrt(a) + epsilon);
        }
    }

    /// <summary>Adam, the bias correction folded into the rate: m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
    /// w −= lr_t·m / (√v + ε).</summary>
    [KernelFor("AdamUpdate")]
    public static void Adam(ArrayView<float> gradient, int length, float correctedLearningRate, float beta1,
        float beta2, float epsilon,
        ArrayView<float> parameter, ArrayView<float> firstMoment, ArrayView<float> secondMoment)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float g = gradient[i];
            float m = beta1 * firstMoment[i] + (1f - beta1) * g;
            float v = beta2 * secondMoment[i] + (1f - beta2) * g * g;
            firstMoment[i] = m;
            secondMoment[i] = v;
            parameter[i] -= correctedLearningRate * m / (MathF.Sqrt(v) + epsilon);
        }
    }

    /// <summary>Adamax: m = β₁m + (1−β₁)g; u = max(β₂u, |g|); w −= lr_t·m / (u + ε).</summary>
    [KernelFor("AdamaxUpdate")]
    public static void Adamax(ArrayView<float> gradient, int length, float correctedLearningRate, float beta1,
        float beta2, float epsilon,
        ArrayView<float> parameter, ArrayView<float> firstMoment, ArrayView<float> infinityNorm)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float g = gradient[i];
            float m = beta1 * firstMoment[i] + (1f - beta1) * g;
            float u = DeviceMath.Max(beta2 * infinityNorm[i], g < 0f ? -g : g);
            firstMoment[i] = m;
            infinityNorm[i] = u;
            parameter[i] -= correctedLearningRate * m / (u + epsilon);
        }
    }

    /// <summary>Nadam (Keras 2): Adam with Nesterov momentum under a warming momentum schedule.</summary>
    [KernelFor("NadamUpdate")]
    public static void Nadam(ArrayView<float> gradient, int length, NadamStep s,
        ArrayView<float> parameter, ArrayView<float> firstMoment, ArrayView<float> secondMoment)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float g = gradient[i];
            float gPrime = g / (1f - s.ScheduleProduct);
            float m = s.Beta1 * firstMoment[i] + (1f - s.Beta1) * g;
            firstMoment[i] = m;
            float mPrime = m / (1f - s.NextScheduleProduct);
            float v = s.Beta2 * secondMoment[i] + (1f - s.Beta2) * g * g;
            secondMoment[i] = v;
            float vPrime = v / s.SecondMomentCorrection;
            float mBar = (1f - s.MomentumCache) * gPrime + s.NextMomentumCache * mPrime;
            parameter[i] -= s.LearningRate * mBar / (MathF.Sqrt(vPrime) + s.Epsilon);
        }
    }

    /// <summary>gradient += l1·sign(w) + 2·l2·w.</summary>
    [KernelFor("PenaltyGradient")]
    public static void PenaltyGradient(ArrayView<float> parameter, int length, float l1, float l2,
        ArrayView<float> gradient)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float w = parameter[i];
            float sign = w > 0f ? 1f : w < 0f ? -1f : 0f;
            gradient[i] += l1 * sign + 2f * l2 * w;
        }
    }
}
