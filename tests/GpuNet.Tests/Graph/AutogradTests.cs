using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Graph;

/// <summary>The executor and reverse-mode autograd over a whole graph, including a value that feeds two ops.</summary>
public sealed class AutogradTests
{
    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Gradients_of_a_value_used_twice_are_summed(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        // x → matmul → h; h → sigmoid and h → tanh; add → out. ∂out/∂h is the sum of both branches.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([6]);
        var kernel = new Parameter("kernel", [6, 4], Initializer.Zeros);
        Value h = graph.Apply(new MatMulBiasOp(kernel, null), x);
        Value s = graph.Apply(new ActivationOp(ActivationKind.Sigmoid), h);
        Value t = graph.Apply(new ActivationOp(ActivationKind.Tanh), h);
        Value output = graph.Apply(new AddOp(), s, t);
        kernel.Allocate(accelerator);
        var random = new System.Random(3);
        float[] weights = Enumerable.Range(0, 24).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] inputs = Enumerable.Range(0, 12).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] projection = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        GraphGradientCheck.AssertMatches(accelerator, graph, x, output, kernel, weights, inputs, projection, [], 1e-2f,
            new Tolerance(1e-3, 1e-2));
    }

    [Fact]
    public void A_reshape_shares_its_input_buffer()
    {
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        var graph = new ComputationGraph();
        Value x = graph.AddInput([28, 28]);
        Value flat = graph.Apply(new ReshapeOp([784]), x);
        using var plan = new ExecutionPlan(graph, accelerator, 3, withGradients: true);
        Assert.Same(plan[x].Buffer, plan[flat].Buffer);
        Assert.Equal([3, 784], plan[flat].Shape);
    }

    [Fact]
    public void A_shape_that_cannot_connect_is_refused_when_the_graph_is_built()
    {
        var graph = new ComputationGraph();
        Value x = graph.AddInput([5]);
        var kernel = new Parameter("kernel", [6, 4], Initializer.Zeros);
        var error = Assert.Throws<GpuNetException>(() => graph.Apply(new MatMulBiasOp(kernel, null), x));
        Assert.Contains("expects 6 input features but gets 5", error.Message);
    }
}
