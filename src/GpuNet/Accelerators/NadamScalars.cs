namespace GpuNet.Accelerators;

/// <summary>
/// The per-step scalars of Keras 2's Nadam, computed once on the host: μ_t and μ_{t+1} of the
/// momentum schedule, the running products Π μ up to t and t+1, and 1 − β₂^t.
/// </summary>
public readonly record struct NadamScalars(
    float LearningRate,
    float Beta1,
    float Beta2,
    float Epsilon,
    float MomentumCache,
    float NextMomentumCache,
    float ScheduleProduct,
    float NextScheduleProduct,
    float SecondMomentCorrection);
