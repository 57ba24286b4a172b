using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Accelerators.Cpu;

/// <summary>One optimizer step over whole parameter arrays, run range by range on the worker threads.</summary>
internal interface IOptimizerPass
{
    /// <summary>Updates elements [start, end); returns Σg² over them where <paramref name="sumSquares"/>, in the
    /// order of <see cref="FastOptimizers.Penalty"/> (else 0).</summary>
    double Run(int start, int end, bool sumSquares);
}

/// <summary>SGD; <paramref name="V"/> null without momentum.</summary>
internal readonly record struct SgdPass(float[] G, float LearningRate, float Momentum, bool Nesterov, float[] W,
    float[]? V)
    : IOptimizerPass
{
    public double Run(int start, int end, bool sumSquares) =>
        FastOptimizers.Sgd(G.AsSpan(start..end), LearningRate, Momentum, Nesterov, W.AsSpan(start..end),
            V is null ? default : V.AsSpan(start..end), sumSquares);
}

internal readonly record struct AdagradPass(float[] G, float LearningRate, float Epsilon, float[] W,
    float[] Accumulator) : IOptimizerPass
{
    public double Run(int start, int end, bool sumSquares) =>
        FastOptimizers.Adagrad(G.AsSpan(start..end), LearningRate, Epsilon, W.AsSpan(start..end),
            Accumulator.AsSpan(start..end), sumSquares);
}

internal readonly record struct AdadeltaPass(float[] G, float LearningRate, float Rho, float Epsilon, float[] W,
    float[] Accumulator, float[] DeltaAccumulator) : IOptimizerPass
{
    public double Run(int start, int end, bool sumSquares) =>
        FastOptimizers.Adadelta(G.AsSpan(start..end), LearningRate, Rho, Epsilon, W.AsSpan(start..end),
        Accumulator.AsSpan(start..end), DeltaAccumulator.AsSpan(start..end), sumSquares);
}

internal readonly record struct RmspropPass(float[] G, float LearningRate, float Rho, float Epsilon, float[] W,
    float[] Accumulator)
    : IOptimizerPass
{
    public double Run(int start, int end, bool sumSquares) =>
        FastOptimizers.Rmsprop(G.AsSpan(start..end), LearningRate, Rho, Epsilon, W.AsSpan(start..end),
            Accumulator.AsSpan(start..end), sumSquares);
}

internal readonly record struct AdamPass(float[] G, float CorrectedLearningRate, float Beta1, float Beta2,
    float Epsilon, float[] W, float[] FirstMoment, float[] SecondMoment) : IOptimizerPass
{
    public double Run(int start, int end, bool sumSquares) =>
        FastOptimizers.Adam(G.AsSpan(start..end), CorrectedLearningRate, Beta1, Beta2, Epsilon,
        W.AsSpan(start..end), FirstMoment.AsSpan(start..end), SecondMoment.AsSpan(start..end), sumSquares);
}

internal readonly record struct AdamaxPass(float[] G, float CorrectedLearningRate, float Beta1, float Beta2,
    float Epsilon, float[] W, float[] FirstMoment, float[] InfinityNorm) : IOptimizerPass
{
    public double Run(int start, int end, bool sumSquares) =>
        FastOptimizers.Adamax(G.AsSpan(start..end), CorrectedLearningRate, Beta1, Beta2, Epsilon,
        W.AsSpan(start..end), FirstMoment.AsSpan(start..end), InfinityNorm.AsSpan(start..end), sumSquares);
}

internal readonly record struct NadamPass(float[] G, NadamScalars Scalars, float[] W, float[] FirstMoment,
    float[] SecondMoment)
    : IOptimizerPass
{
    public double Run(int start, int end, bool sumSquares) =>
        FastOptimizers.Nadam(G.AsSpan(start..end), Scalars, W.AsSpan(start..end),
        FirstMoment.AsSpan(start..end), SecondMoment.AsSpan(start..end), sumSquares);
}
