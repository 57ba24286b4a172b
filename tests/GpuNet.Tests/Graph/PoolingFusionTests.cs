using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Graph;

/// <summary>
/// A convolution whose output only a max pooling reads runs with the pooling as one step: the
/// graph as written gives the same outputs and gradients to the bit, the analytic gradient
/// matches central differences over stale buffers, and on the CPU the full-size output and its
/// gradient are never touched.
/// </summary>
public sealed class PoolingFusionTests
{
    private const int Batch = 3;

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Fused_poolings_give_the_written_graphs_outputs_and_gradients_bit_for_bit(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new TwoBlockNet(accelerator);

        var fused = net.Step(fuse: true);
        var written = net.Step(fuse: false);

        Assert.Contains(written.Output, v => v != 0);
        Assert.Equal(written.Output, fused.Output);
        for (int p = 0; p < written.Gradients.Length; p++)
        {
            Assert.Contains(written.Gradients[p], v => v != 0);
            Assert.Equal(written.Gradients[p], fused.Gradients[p]);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Fused_poolings_match_the_numerical_gradient_over_stale_buffers(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new TwoBlockNet(accelerator);
        foreach (Parameter p in net.Graph.Parameters.Where(p => p != net.FirstKernel))
            accelerator.Upload(net.Initial(p), p.Value.Buffer);

        // The first kernel's gradient goes through the second block's input gradient as well.
        GraphGradientCheck.AssertMatches(accelerator, net.Graph, net.X, net.Output, net.FirstKernel,
            net.Initial(net.FirstKernel), net.Inputs, net.Projection,
            [net.FirstConvolution, net.FirstRelu, net.FirstPooled, net.SecondConvolution, net.Output], 1e-3f,
                new Tolerance(2e-3, 2e-2));
    }

    [Fact]
    public void On_the_cpu_the_convolutions_own_output_and_gradient_are_left_untouched()
    {
        using var accelerator = new CpuAccelerator();
        var net = new TwoBlockNet(accelerator);
        using ExecutionPlan plan = net.Plan(fuse: true);
        Value[] unused = [net.FirstConvolution, net.SecondConvolution];
        foreach (Value v in unused)
        {
            accelerator.Fill(float.NaN, plan[v].Length, plan[v].Buffer);
            accelerator.Fill(float.NaN, plan.GradientOf(v)!.Length, plan.GradientOf(v)!.Buffer);
        }

        net.Step(plan);

        foreach (Value v in unused)
        {
            Assert.All(GraphStep.Download(accelerator, plan[v]), value => Assert.True(float.IsNaN(value)));
            Assert.All(GraphStep.Download(accelerator, plan.GradientOf(v)!), value => Assert.True(float.IsNaN(value)));
        }
    }

    [Fact]
    public void A_convolution_with_a_second_reader_runs_on_its_own()
    {
        using var accelerator = new CpuAccelerator();
        var graph = new ComputationGraph();
        Value x = graph.AddInput([1, 6, 6]);
        var kernel = new Parameter("kernel", [2, 1, 3, 3], Initializer.Zeros);
        kernel.Allocate(accelerator);
        Value convolved = graph.Apply(new Conv2DOp(kernel, null, new SlidingWindow(3, 3, 1, 1, Padding.Valid)), x);
        graph.Apply(new Pool2DOp(PoolingKind.Max, new SlidingWindow(2, 2, 2, 2, Padding.Valid)), convolved);
        graph.Apply(new AddOp(), convolved, convolved);
        using var plan = new ExecutionPlan(graph, accelerator, batchSize: 1, withGradients: true);
        accelerator.Fill(float.NaN, plan[convolved].Length, plan[convolved].Buffer);

        plan.Forward(new OpContext(accelerator) { Training = true });

        Assert.All(GraphStep.Download(accelerator, plan[convolved]), value => Assert.Equal(0f, value));
    }

    /// <summary>
    /// x [2, 12, 12] → conv 3×3 (5 filters) → relu → max pool 2×2 → conv 3×3 (4 filters) → max pool
    /// 2×2 (a 3×3 output, so a row and a column are left out) → out [4, 1, 1]; loss = out · projection.
    /// </summary>
    private sealed class TwoBlockNet
    {
        private readonly IAccelerator _accelerator;
        private readonly Dictionary<Parameter, float[]> _initial = [];

        public TwoBlockNet(IAccelerator accelerator)
        {
            _accelerator = accelerator;
            var window = new SlidingWindow(3, 3, 1, 1, Padding.Valid);
            var pooling = new SlidingWindow(2, 2, 2, 2, Padding.Valid);
            X = Graph.AddInput([2, 12, 12]);
            FirstConvolution = Graph.Apply(new Conv2DOp(FirstKernel, FirstBias, window), X);
            FirstRelu = Graph.Apply(new ActivationOp(ActivationKind.Relu), FirstConvolution);
            FirstPooled = Graph.Apply(new Pool2DOp(PoolingKind.Max, pooling), FirstRelu);
            SecondConvolution = Graph.Apply(new Conv2DOp(SecondKernel, SecondBias, window), FirstPooled);
            Output = Graph.Apply(new Pool2DOp(PoolingKind.Max, pooling), SecondConvolution);
            var random = new System.Random(5);
            foreach (Parameter p in Graph.Parameters)
            {
                p.Allocate(accelerator);
                _initial[p] = Enumerable.Range(0, p.Length).Select(_ =>
                    (float)(random.NextDouble() - 0.45) * 0.6f).ToArray();
            }
            Inputs = Enumerable.Range(0, Batch * X.SampleSize).Select(_ => (float)random.NextDouble()).ToArray();
            Projection = Enumerable.Range(0, Batch * Output.SampleSize).Select(_ =>
                (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        public ComputationGraph Graph { get; } = new();

        public Parameter FirstKernel { get; } = new("conv1/kernel", [5, 2, 3, 3], Initializer.Zeros);

        public Parameter FirstBias { get; } = new("conv1/bias", [5], Initializer.Zeros);

        public Parameter SecondKernel { get; } = new("conv2/kernel", [4, 5, 3, 3], Initializer.Zeros);

        public Parameter SecondBias { get; } = new("conv2/bias", [4], Initializer.Zeros);

        public Value X { get; }

        public Value FirstConvolution { get; }

        public Value FirstRelu { get; }

        public Value FirstPooled { get; }

        public Value SecondConvolution { get; }

        public Value Output { get; }

        public float[] Inputs { get; }

        public float[] Projection { get; }

        public float[] Initial(Parameter p) => _initial[p];

        public ExecutionPlan Plan(bool fuse) => new(Graph, _accelerator, Batch, withGradients: true, fuse: fuse);

        public (float[] Output, float[][] Gradients) Step(bool fuse)
        {
            using ExecutionPlan plan = Plan(fuse);
            return Step(plan);
        }

        /// <summary>The output and every parameter's gradient after one forward and backward.</summary>
        public (float[] Output, float[][] Gradients) Step(ExecutionPlan plan)
        {
            foreach (Parameter p in Graph.Parameters) _accelerator.Upload(_initial[p], p.Value.Buffer);
            return GraphStep.Run(_accelerator, Graph, plan, X, Inputs, Output, Projection);
        }
    }
}
