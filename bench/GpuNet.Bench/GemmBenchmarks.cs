using BenchmarkDotNet.Attributes;
using GpuNet.Benchmarks;

namespace GpuNet.Bench;

/// <summary>
/// BenchmarkDotNet view of the same shapes as <see cref="GemmBenchmark"/>: 1024³ and the three
/// products of a 784-512-512-10 dense layer at batch 120, plain reference against the fast kernel,
/// on all threads. Run with <c>-- --bdn --filter *Gemm*</c>.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    public static IEnumerable<GemmShape> Shapes() =>
        GemmBenchmark.DefaultShapes.Where(s => s.Name is "square 1024"
            || s.Name.StartsWith("dense", StringComparison.Ordinal));

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmBenchmark.DefaultShapes[0];

    [GlobalSetup]
    public void Setup()
    {
        var random = new System.Random(1);
        _a = Values(random, Shape.M * Shape.K);
        _b = Values(random, Shape.K * Shape.N);
        _c = new float[Shape.M * Shape.N];
    }

    [Benchmark(Baseline = true)]
    public void Reference() => GemmBenchmark.Multiply(GemmImplementation.Reference, Shape, _a, _b, _c);

    [Benchmark]
    public void Fast() => GemmBenchmark.Multiply(GemmImplementation.Fast, Shape, _a, _b, _c);

    private static float[] Values(System.Random random, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
