using BenchmarkDotNet.Attributes;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;

namespace GpuNet.Bench;

/// <summary>
/// The CPU accelerator's fused convolution + ReLU + 2×2 max pooling, forward and backward (kernel, bias and,
/// past the first layer, input gradients), for the convolutions of the lecture's two-block CNN and of Chollet's
/// convnet at their batch sizes, on all threads. Run with <c>-- --bdn --filter *Convolution*</c>.
/// </summary>
[ShortRunJob]
public class ConvolutionBenchmarks
{
    /// <summary>A convolution layer of the benchmarked networks.</summary>
    public sealed record Layer(string Name, int Batch, int Channels, int Size, int Kernel, int Filters)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Layer> Layers() =>
    [
        new("2x32 conv1 5x5 1-32", 120, 1, 28, 5, 32),
        new("2x32 conv2 5x5 32-32", 120, 32, 12, 5, 32),
        new("Chollet conv1 3x3 1-32", 64, 1, 28, 3, 32),
        new("Chollet conv2 3x3 32-64", 64, 32, 13, 3, 64),
    ];

    [ParamsSource(nameof(Layers))]
    public Layer Shape { get; set; } = null!;

    private readonly CpuAccelerator _accelerator = new();
    private ConvolutionStep _convolution;
    private PoolingStep _pooling;
    private ConvolutionGradients _gradients;
    private DeviceBuffer _bias = null!, _dy = null!, _unused = null!;

    [GlobalSetup]
    public void Setup()
    {
        Layer s = Shape;
        int output = s.Size - s.Kernel + 1, pooled = output / 2;
        var window = new Window2D(s.Batch, s.Channels, s.Size, s.Size, s.Kernel, s.Kernel, 1, 1, 0, 0, output, output);
        var pool = new Window2D(s.Batch, s.Filters, output, output, 2, 2, 2, 2, 0, 0, pooled, pooled);
        var random = new System.Random(1);
        DeviceBuffer Buffer(int length)
        {
            DeviceBuffer buffer = _accelerator.Allocate(length);
            float[] values = new float[length];
            for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
            _accelerator.Upload(values, buffer);
            return buffer;
        }
        _unused = _accelerator.Allocate(0);
        _convolution = new ConvolutionStep(window, s.Filters, Buffer(window.InputLength),
            Buffer(s.Filters * window.PatchSize), _unused, _unused);
        int pooledLength = s.Batch * s.Filters * pool.OutputPlane;
        _pooling = new PoolingStep(pool, true, Buffer(pooledLength), Buffer(pooledLength));
        _bias = Buffer(s.Filters);
        _dy = Buffer(pooledLength);
        // The first layer of a network has no input gradient to make.
        _gradients = new ConvolutionGradients(Buffer(s.Filters * window.PatchSize), Buffer(s.Filters),
            s.Channels == 1 ? null : Buffer(window.InputLength), SetInput: true);
        Forward();
    }

    [Benchmark]
    public void Forward() => _accelerator.Conv2DMaxPoolForward(_convolution, _bias, _unused, _pooling);

    [Benchmark]
    public void Backward() => _accelerator.Conv2DMaxPoolBackward(_convolution, _pooling, _dy, _unused, null,
        _gradients);
}
