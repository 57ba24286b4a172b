using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Models;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Graph;

/// <summary>
/// A ReLU read only by max pooling runs inside the pooling, after it, on a quarter of the values:
/// the same outputs and gradients to the bit as the graph as written, and no buffers of its own.
/// </summary>
public sealed class ReluBehindPoolingTests
{
    private const int Batch = 3;

    [Theory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Moved_relu_gives_the_written_graphs_outputs_and_gradients_bit_for_bit(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluPoolNet(accelerator);

        var (movedOutput, movedGradient) = net.Step(moveRelus: true);
        var (writtenOutput, writtenGradient) = net.Step(moveRelus: false);

        // The inputs must reach both cases: windows whose maximum is positive and windows with none.
        Assert.Contains(writtenOutput, v => v > 0);
        Assert.Contains(writtenOutput, v => v == 0);
        Assert.Equal(writtenOutput, movedOutput);
        Assert.Equal(writtenGradient, movedGradient);
    }

    [Theory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Moved_relu_matches_the_numerical_gradient_over_stale_buffers(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluPoolNet(accelerator);
        using var plan = net.Plan(moveRelus: true);
        double Loss(float[] w) => net.Loss(plan, w);

        var (_, analytic) = net.Step(moveRelus: true, poisonGradients: true);

        CentralDifference.AssertMatches(net.Weights, analytic, Loss, 1e-3f, new Tolerance(2e-3, 2e-2), "kernel");
    }

    [Fact]
    public void Moved_relu_shares_its_inputs_buffers()
    {
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        var net = new ReluPoolNet(accelerator);
        using var moved = net.Plan(moveRelus: true);
        using var written = net.Plan(moveRelus: false);

        Assert.Same(moved[net.Image].Buffer, moved[net.Relu].Buffer);
        Assert.Same(moved.GradientOf(net.Image)!.Buffer, moved.GradientOf(net.Relu)!.Buffer);
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

    /// <summary>x → matmul → reshape 1×8×8 → relu → max pool 2×2 → out [1, 4, 4]; loss = out · projection.</summary>
    private sealed class ReluPoolNet
    {
        private readonly IAccelerator _accelerator;
        private readonly ComputationGraph _graph = new();
        private readonly Parameter _kernel = new("kernel", [5, 64], Initializer.Zeros);
        private readonly Value _x, _output;
        private readonly float[] _inputs, _projection;

        public ReluPoolNet(IAccelerator accelerator)
        {
            _accelerator = accelerator;
            _x = _graph.AddInput([5]);
            Value h = _graph.Apply(new MatMulBiasOp(_kernel, null), _x);
            Image = _graph.Apply(new ReshapeOp([1, 8, 8]), h);
            Relu = _graph.Apply(new ActivationOp(ActivationKind.Relu), Image);
            _output = _graph.Apply(new Pool2DOp(PoolingKind.Max, new SlidingWindow(2, 2, 2, 2, Padding.Valid)), Relu);
            _kernel.Allocate(accelerator);
            var random = new System.Random(11);
            // Weights mostly negative: about one window in six has no positive value.
            Weights = Enumerable.Range(0, 5 * 64).Select(_ => (float)(random.NextDouble() - 0.6)).ToArray();
            _inputs = Enumerable.Range(0, Batch * 5).Select(_ => (float)random.NextDouble()).ToArray();
            _projection = Enumerable.Range(0, Batch * 16).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        public Value Image { get; }

        public Value Relu { get; }

        public float[] Weights { get; }

        public ExecutionPlan Plan(bool moveRelus) => new(_graph, _accelerator, Batch, withGradients: true, moveRelus: moveRelus);

        public double Loss(ExecutionPlan plan, float[] weights)
        {
            float[] y = Forward(plan, weights);
            return y.Select((v, i) => (double)v * _projection[i]).Sum();
        }

        /// <summary>The output and the kernel's gradient after one forward and backward.</summary>
        public (float[] Output, float[] KernelGradient) Step(bool moveRelus, bool poisonGradients = false)
        {
            using ExecutionPlan plan = Plan(moveRelus);
            float[] output = Forward(plan, Weights);
            if (poisonGradients)
                foreach (Value v in new[] { Image, Relu, _output }) _accelerator.Fill(float.NaN, plan.GradientOf(v)!.Length, plan.GradientOf(v)!.Buffer);
            plan.ZeroGradients();
            _accelerator.Fill(0f, _kernel.Length, _kernel.Gradient.Buffer);
            _accelerator.Upload(_projection, plan.GradientOf(_output)!.Buffer);
            plan.Backward(new OpContext(_accelerator) { Training = true });
            float[] gradient = new float[_kernel.Length];
            _accelerator.Download(_kernel.Gradient.Buffer, gradient);
            return (output, gradient);
        }

        private float[] Forward(ExecutionPlan plan, float[] weights)
        {
            _accelerator.Upload(weights, _kernel.Value.Buffer);
            _accelerator.Upload(_inputs, plan[_x].Buffer);
            plan.Forward(new OpContext(_accelerator) { Training = true });
            float[] y = new float[Batch * 16];
            _accelerator.Download(plan[_output].Buffer, y);
            return y;
        }
    }
}
