using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Graph;

/// <summary>
/// A Dense layer's ReLU read only by dropout runs inside the dropout, its gradient kept in the dropout's mask: the
/// same outputs and gradients to the bit as the graph as written, in training and in evaluation, and no buffers of
/// its own.
/// </summary>
public sealed class DropoutReluFusionTests
{
    private const int Batch = 4;

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Fused_relu_gives_the_written_graphs_outputs_and_gradients_bit_for_bit(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluDropoutNet(accelerator);

        var (fusedOutput, fusedGradients) = net.Step(fuse: true);
        var (writtenOutput, writtenGradients, relu) = net.StepWritten();

        // The inputs must reach both sides of the ReLU.
        Assert.Contains(relu, v => v > 0);
        Assert.Contains(relu, v => v == 0);
        FastKernelInputs.AssertIdentical(writtenOutput, fusedOutput, "output");
        Assert.Equal(writtenGradients.Length, fusedGradients.Length);
        for (int i = 0; i < writtenGradients.Length; i++)
            FastKernelInputs.AssertIdentical(writtenGradients[i], fusedGradients[i], $"gradient {i}");
        FastKernelInputs.AssertIdentical(net.Evaluate(fuse: false), net.Evaluate(fuse: true), "evaluation");
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Fused_relu_matches_the_numerical_gradient_over_stale_buffers(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        var net = new ReluDropoutNet(accelerator);

        GraphGradientCheck.AssertMatches(accelerator, net.Graph, net.X, net.Output, net.Kernel, net.Weights, net.Inputs,
            net.Projection, [net.Hidden, net.Relu, net.Dropped], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [Fact]
    public void Fused_relu_shares_its_inputs_buffers_and_takes_none_of_its_own()
    {
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        var net = new ReluDropoutNet(accelerator);
        using var fused = net.Plan(fuse: true);
        using var written = net.Plan(fuse: false);

        Assert.Same(fused[net.Hidden].Buffer, fused[net.Relu].Buffer);
        Assert.Same(fused.GradientOf(net.Hidden)!.Buffer, fused.GradientOf(net.Relu)!.Buffer);
        Assert.NotSame(written[net.Hidden].Buffer, written[net.Relu].Buffer);
        // The ReLU's value and gradient are gone, and nothing took their place.
        Assert.Equal(written.AllocatedFloats - 2 * Batch * 16, fused.AllocatedFloats);
    }

    /// <summary>x → matmul → relu → dropout 0.5 → matmul → out [3]; loss = out · projection.</summary>
    private sealed class ReluDropoutNet
    {
        private readonly IAccelerator _accelerator;

        public ReluDropoutNet(IAccelerator accelerator)
        {
            _accelerator = accelerator;
            X = Graph.AddInput([5]);
            Hidden = Graph.Apply(new MatMulBiasOp(Kernel, null), X);
            Relu = Graph.Apply(new ActivationOp(ActivationKind.Relu), Hidden);
            Dropped = Graph.Apply(new DropoutOp(0.5f), Relu);
            Output = Graph.Apply(new MatMulBiasOp(Head, null), Dropped);
            Kernel.Allocate(accelerator);
            Head.Allocate(accelerator);
            var random = new System.Random(23);
            float[] Values(int count, double shift) =>
                Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() + shift)).ToArray();
            Weights = Values(5 * 16, -0.5);
            accelerator.Upload(Values(16 * 3, -0.5), Head.Value.Buffer);
            Inputs = Values(Batch * 5, 0);
            Projection = Values(Batch * 3, -0.5);
        }

        public ComputationGraph Graph { get; } = new();

        public Parameter Kernel { get; } = new("kernel", [5, 16], Initializer.Zeros);

        public Parameter Head { get; } = new("head", [16, 3], Initializer.Zeros);

        public Value X { get; }

        public Value Hidden { get; }

        public Value Relu { get; }

        public Value Dropped { get; }

        public Value Output { get; }

        public float[] Weights { get; }

        public float[] Inputs { get; }

        public float[] Projection { get; }

        public ExecutionPlan Plan(bool fuse) => new(Graph, _accelerator, Batch, withGradients: true, fuse: fuse);

        /// <summary>The output and every parameter's gradient after one forward and backward.</summary>
        public (float[] Output, float[][] Gradients) Step(bool fuse)
        {
            using ExecutionPlan plan = Plan(fuse);
            _accelerator.Upload(Weights, Kernel.Value.Buffer);
            return GraphStep.Run(_accelerator, Graph, plan, X, Inputs, Output, Projection);
        }

        /// <summary>As <see cref="Step"/> for the graph as written, with the ReLU's output.</summary>
        public (float[] Output, float[][] Gradients, float[] Relu) StepWritten()
        {
            using ExecutionPlan plan = Plan(fuse: false);
            _accelerator.Upload(Weights, Kernel.Value.Buffer);
            var (output, gradients) = GraphStep.Run(_accelerator, Graph, plan, X, Inputs, Output, Projection);
            return (output, gradients, GraphStep.Download(_accelerator, plan[Relu]));
        }

        /// <summary>The output in evaluation, where dropout passes its input through.</summary>
        public float[] Evaluate(bool fuse)
        {
            using var plan = new ExecutionPlan(Graph, _accelerator, Batch, withGradients: false, fuse: fuse);
            _accelerator.Upload(Weights, Kernel.Value.Buffer);
            _accelerator.Upload(Inputs, plan[X].Buffer);
            plan.Forward(new OpContext(_accelerator) { Training = false });
            return GraphStep.Download(_accelerator, plan[Output]);
        }
    }
}
