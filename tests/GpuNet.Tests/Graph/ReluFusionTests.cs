using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Graph;

/// <summary>
/// A ReLU read only by max pooling runs inside the pooling, after it, on a quarter of the values:
/// the same outputs and gradients to the bit as the graph as written, and no buffers of its own.
/// </summary>
public sealed class ReluFusionTests
{
    private const int Batch = 3;

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Fused_relu_gives_the_written_graphs_outputs_and_gradients_bit_for_bit(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluPoolNet(accelerator);

        var (fusedOutput, fusedGradient) = net.Step(fuse: true);
        var (writtenOutput, writtenGradient) = net.Step(fuse: false);

        // The inputs must reach both cases: windows whose maximum is positive and windows with none.
        Assert.Contains(writtenOutput, v => v > 0);
        Assert.Contains(writtenOutput, v => v == 0);
        Assert.Equal(writtenOutput, fusedOutput);
        Assert.Equal(writtenGradient, fusedGradient);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Fused_relu_matches_the_numerical_gradient_over_stale_buffers(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluPoolNet(accelerator);

        GraphGradientCheck.AssertMatches(accelerator, net.Graph, net.X, net.Output, net.Kernel, net.Weights, net.Inputs,
            net.Projection, [net.Image, net.Relu, net.Output], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [Fact]
    public void Fused_relu_shares_its_inputs_buffers()
    {
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        var net = new ReluPoolNet(accelerator);
        using var fused = net.Plan(fuse: true);
        using var written = net.Plan(fuse: false);

        Assert.Same(fused[net.Image].Buffer, fused[net.Relu].Buffer);
        Assert.Same(fused.GradientOf(net.Image)!.Buffer, fused.GradientOf(net.Relu)!.Buffer);
        Assert.NotSame(written[net.Image].Buffer, written[net.Relu].Buffer);
    }

    [Fact]
    public void A_relu_with_a_second_reader_or_before_average_pooling_stays_in_place()
    {
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        var graph = new ComputationGraph();
        Value x = graph.AddInput([1, 4, 4]);
        var window = new SlidingWindow(2, 2, 2, 2, Padding.Valid);
        Value twiceRead = graph.Apply(new ActivationOp(ActivationKind.Relu), x);
        graph.Apply(new Pool2DOp(PoolingKind.Max, window), twiceRead);
        graph.Apply(new AddOp(), twiceRead, twiceRead);
        Value averaged = graph.Apply(new ActivationOp(ActivationKind.Relu), x);
        graph.Apply(new Pool2DOp(PoolingKind.Average, window), averaged);
        Value leaky = graph.Apply(new ActivationOp(ActivationKind.LeakyRelu, 0.1f), x);
        graph.Apply(new Pool2DOp(PoolingKind.Max, window), leaky);

        using var plan = new ExecutionPlan(graph, accelerator, batchSize: 1, withGradients: true);

        foreach (Value relu in new[] { twiceRead, averaged, leaky }) Assert.NotSame(plan[x].Buffer, plan[relu].Buffer);
    }

    /// <summary>x → matmul → reshape 1×8×8 → relu → max pool 2×2 → out [1, 4, 4]; loss = out ·
    /// projection.</summary>
    private sealed class ReluPoolNet
    {
        private readonly IAccelerator _accelerator;

        public ReluPoolNet(IAccelerator accelerator)
        {
            _accelerator = accelerator;
            X = Graph.AddInput([5]);
            Value h = Graph.Apply(new MatMulBiasOp(Kernel, null), X);
            Image = Graph.Apply(new ReshapeOp([1, 8, 8]), h);
            Relu = Graph.Apply(new ActivationOp(ActivationKind.Relu), Image);
            Output = Graph.Apply(new Pool2DOp(PoolingKind.Max, new SlidingWindow(2, 2, 2, 2, Padding.Valid)), Relu);
            Kernel.Allocate(accelerator);
            var random = new System.Random(11);
            // Weights mostly negative: about one window in six has no positive value.
            Weights = Enumerable.Range(0, 5 * 64).Select(_ => (float)(random.NextDouble() - 0.6)).ToArray();
            Inputs = Enumerable.Range(0, Batch * 5).Select(_ => (float)random.NextDouble()).ToArray();
            Projection = Enumerable.Range(0, Batch * 16).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        public ComputationGraph Graph { get; } = new();

        public Parameter Kernel { get; } = new("kernel", [5, 64], Initializer.Zeros);

        public Value X { get; }

        public Value Image { get; }

        public Value Relu { get; }

        public Value Output { get; }

        public float[] Weights { get; }

        public float[] Inputs { get; }

        public float[] Projection { get; }

        public ExecutionPlan Plan(bool fuse) => new(Graph, _accelerator, Batch, withGradients: true, fuse: fuse);

        /// <summary>The output and the kernel's gradient after one forward and backward.</summary>
        public (float[] Output, float[] KernelGradient) Step(bool fuse)
        {
            using ExecutionPlan plan = Plan(fuse);
            _accelerator.Upload(Weights, Kernel.Value.Buffer);
            var (output, gradients) = GraphStep.Run(_accelerator, Graph, plan, X, Inputs, Output, Projection);
            return (output, gradients.Single());
        }
    }
}
