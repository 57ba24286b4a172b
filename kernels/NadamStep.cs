namespace GpuNet.Kernels;

/// <summary>
/// Nadam's per-step scalars as the kernel receives them by value: μ_t and μ_{t+1} of the momentum
/// schedule, the running products Π μ up to t and t+1, and 1 − β₂^t, computed once on the host.
/// </summary>
public readonly struct NadamStep(float learningRate, float beta1, float beta2, float epsilon, float momentumCache,
    float nextMomentumCache, float scheduleProduct, float nextScheduleProduct, float secondMomentCorrection)
{
    public float LearningRate { get; } = learningRate;

    public float Beta1 { get; } = beta1;

    public float Beta2 { get; } = beta2;

    public float Epsilon { get; } = epsilon;

    public float MomentumCache { get; } = momentumCache;

    public float NextMomentumCache { get; } = nextMomentumCache;

    public float ScheduleProduct { get; } = scheduleProduct;

    public float NextScheduleProduct { get; } = nextScheduleProduct;

    public float SecondMomentCorrection { get; } = secondMomentCorrection;
}
