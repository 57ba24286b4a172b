using GpuNet.Training;

namespace GpuNet.Benchmarks;

/// <summary>One network of the deep-versus-shallow suite, as measured.</summary>
public sealed record NetworkBenchmarkResult(
    string Name,
    long Parameters,
    int Epochs,
    double SecondsPerEpoch,
    double SamplesPerSecond,
    float TestAccuracy,
    IReadOnlyList<LayerGradientNorm> FirstEpochGradientNorms,
    IReadOnlyList<LayerGradientNorm> LastEpochGradientNorms);
