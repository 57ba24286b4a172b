using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Graph;

/// <summary>
/// A ReLU read only by max pooling runs inside the pooling, after it, on a quarter of the values; one read only by
/// dropout runs inside the dropout, its gradient kept in the dropout's mask: in each, the same outputs and gradients
/// to the bit as the graph as written (and with dropout, the same outputs in evaluation), and no buffers of its own.
/// </summary>
public sealed class ReluFusionTests
{
    private const int Batch = 3;

    /// <summary>Every accelerator with each op a ReLU fuses into.</summary>
    public static TheoryData<string, string> AcceleratorsAndReaders()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in AcceleratorCatalog.Names)
        {
            data.Add(name, "max pooling");
            data.Add(name, "dropout");
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void A_relu_inside_max_pooling_gives_the_written_graphs_outputs_and_gradients_bit_for_bit(
        string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluPoolNet(accelerator);

        var (fusedOutput, fusedGradients) = net.Step(fuse: true);
        var (writtenOutput, writtenGradients) = net.Step(fuse: false);

        // The inputs must reach both cases: windows whose maximum is positive and windows with none.
        Assert.Contains(writtenOutput, v => v > 0);
        Assert.Contains(writtenOutput, v => v == 0);
        AssertSameBits(writtenOutput, writtenGradients, fusedOutput, fusedGradients);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void A_relu_inside_dropout_gives_the_written_graphs_outputs_and_gradients_bit_for_bit(
        string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluDropoutNet(accelerator);

        var (fusedOutput, fusedGradients) = net.Step(fuse: true);
        var (writtenOutput, writtenGradients) = net.Step(fuse: false);

        // The inputs must reach both sides of the ReLU.
        float[] relu = net.WrittenRelu();
        Assert.Contains(relu, v => v > 0);
        Assert.Contains(relu, v => v == 0);
        AssertSameBits(writtenOutput, writtenGradients, fusedOutput, fusedGradients);
        FastKernelInputs.AssertIdentical(net.Evaluate(fuse: false), net.Evaluate(fuse: true), "evaluation");
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorsAndReaders))]
    public void Fused_relu_matches_the_numerical_gradient_over_stale_buffers(string acceleratorName, string reader)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        FusionNet net = FusionNet.Create(reader, accelerator);

        GraphGradientCheck.AssertMatches(accelerator, net.Graph, net.X, net.Output, net.Kernel, net.Weights, net.Inputs,
            net.Projection, [net.ReluInput, net.Relu, net.ReluReader], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [Theory]
    [InlineData("max pooling")]
    [InlineData("dropout")]
    public void Fused_relu_shares_its_inputs_buffers_and_takes_none_of_its_own(string reader)
    {
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        FusionNet net = FusionNet.Create(reader, accelerator);
        using var fused = net.Plan(fuse: true);
        using var written = net.Plan(fuse: false);

        Assert.Same(fused[net.ReluInput].Buffer, fused[net.Relu].Buffer);
        Assert.Same(fused.GradientOf(net.ReluInput)!.Buffer, fused.GradientOf(net.Relu)!.Buffer);
        Assert.NotSame(written[net.ReluInput].Buffer, written[net.Relu].Buffer);
        // The ReLU's value and gradient are gone; max pooling takes a buffer the size of its output for the ReLU's
        // gradient, dropout none.
        int reluFloats = written[net.Relu].Length, scratch = reader == "dropout" ? 0 : written[net.ReluReader].Length;
        Assert.Equal(written.AllocatedFloats - 2 * reluFloats + scratch, fused.AllocatedFloats);
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

    private static void AssertSameBits(float[] writtenOutput, float[][] writtenGradients, float[] fusedOutput,
        float[][] fusedGradients)
    {
        FastKernelInputs.AssertIdentical(writtenOutput, fusedOutput, "output");
        Assert.Equal(writtenGradients.Length, fusedGradients.Length);
        for (int i = 0; i < writtenGradients.Length; i++)
            FastKernelInputs.AssertIdentical(writtenGradients[i], fusedGradients[i], $"gradient {i}");
    }

    /// <summary>x → matmul → … → relu → the op that reads it → … → out; loss = out · projection.</summary>
    private abstract class FusionNet(IAccelerator accelerator)
    {
        protected IAccelerator Accelerator { get; } = accelerator;

        public static FusionNet Create(string reader, IAccelerator accelerator) => reader switch
        {
            "max pooling" => new ReluPoolNet(accelerator),
            _ => new ReluDropoutNet(accelerator),
        };

        public ComputationGraph Graph { get; } = new();

        public abstract Parameter Kernel { get; }

        public Value X { get; protected init; } = null!;

        /// <summary>The ReLU's input, its output, and the op's output that reads it.</summary>
        public Value ReluInput { get; protected init; } = null!;

        public Value Relu { get; protected init; } = null!;

        public Value ReluReader { get; protected init; } = null!;

        public Value Output { get; protected init; } = null!;

        public float[] Weights { get; protected init; } = [];

        public float[] Inputs { get; protected init; } = [];

        public float[] Projection { get; protected init; } = [];

        public ExecutionPlan Plan(bool fuse) => new(Graph, Accelerator, Batch, withGradients: true, fuse: fuse);

        /// <summary>The output and every parameter's gradient after one forward and backward.</summary>
        public (float[] Output, float[][] Gradients) Step(bool fuse)
        {
            using ExecutionPlan plan = Plan(fuse);
            Accelerator.Upload(Weights, Kernel.Value.Buffer);
            return GraphStep.Run(Accelerator, Graph, plan, X, Inputs, Output, Projection);
        }
    }

    /// <summary>x → matmul → reshape 1×8×8 → relu → max pool 2×2 → out [1, 4, 4].</summary>
    private sealed class ReluPoolNet : FusionNet
    {
        public ReluPoolNet(IAccelerator accelerator) : base(accelerator)
        {
            X = Graph.AddInput([5]);
            Value h = Graph.Apply(new MatMulBiasOp(Kernel, null), X);
            ReluInput = Graph.Apply(new ReshapeOp([1, 8, 8]), h);
            Relu = Graph.Apply(new ActivationOp(ActivationKind.Relu), ReluInput);
            Output = ReluReader = Graph.Apply(new Pool2DOp(PoolingKind.Max,
                new SlidingWindow(2, 2, 2, 2, Padding.Valid)), Relu);
            Kernel.Allocate(accelerator);
            var random = new System.Random(11);
            // Weights mostly negative: about one window in six has no positive value.
            Weights = Enumerable.Range(0, 5 * 64).Select(_ => (float)(random.NextDouble() - 0.6)).ToArray();
            Inputs = Enumerable.Range(0, Batch * 5).Select(_ => (float)random.NextDouble()).ToArray();
            Projection = Enumerable.Range(0, Batch * 16).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        public override Parameter Kernel { get; } = new("kernel", [5, 64], Initializer.Zeros);
    }

    /// <summary>x → matmul → relu → dropout 0.5 → matmul → out [3].</summary>
    private sealed class ReluDropoutNet : FusionNet
    {
        private readonly Parameter _head = new("head", [16, 3], Initializer.Zeros);

        public ReluDropoutNet(IAccelerator accelerator) : base(accelerator)
        {
            X = Graph.AddInput([5]);
            ReluInput = Graph.Apply(new MatMulBiasOp(Kernel, null), X);
            Relu = Graph.Apply(new ActivationOp(ActivationKind.Relu), ReluInput);
            ReluReader = Graph.Apply(new DropoutOp(0.5f), Relu);
            Output = Graph.Apply(new MatMulBiasOp(_head, null), ReluReader);
            Kernel.Allocate(accelerator);
            _head.Allocate(accelerator);
            var random = new System.Random(23);
            float[] Values(int count, double shift) =>
                Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() + shift)).ToArray();
            Weights = Values(5 * 16, -0.5);
            accelerator.Upload(Values(16 * 3, -0.5), _head.Value.Buffer);
            Inputs = Values(Batch * 5, 0);
            Projection = Values(Batch * 3, -0.5);
        }

        public override Parameter Kernel { get; } = new("kernel", [5, 16], Initializer.Zeros);

        /// <summary>The ReLU's output in a training step of the graph as written.</summary>
        public float[] WrittenRelu()
        {
            using ExecutionPlan plan = Plan(fuse: false);
            Accelerator.Upload(Weights, Kernel.Value.Buffer);
            GraphStep.Run(Accelerator, Graph, plan, X, Inputs, Output, Projection);
            return GraphStep.Download(Accelerator, plan[Relu]);
        }

        /// <summary>The output in evaluation, where dropout passes its input through.</summary>
        public float[] Evaluate(bool fuse)
        {
            using var plan = new ExecutionPlan(Graph, Accelerator, Batch, withGradients: false, fuse: fuse);
            Accelerator.Upload(Weights, Kernel.Value.Buffer);
            Accelerator.Upload(Inputs, plan[X].Buffer);
            plan.Forward(new OpContext(Accelerator) { Training = false });
            return GraphStep.Download(Accelerator, plan[Output]);
        }
    }
}
