using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Graph;

/// <summary>
/// The plan leaves unzeroed the gradients an op sets (dx = …) rather than adds to: the first op of
/// the backward pass to write a gradient sets it where it can, every later one adds, and a
/// gradient seeded from outside (the loss's) is only ever added to. Every gradient buffer starts
/// the step holding NaN, so a set that adds, or an add onto a buffer nobody zeroed, shows.
/// </summary>
public sealed class GradientSettingTests
{
    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Set_and_added_gradients_sum_to_the_numerical_gradient_over_stale_buffers(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        // x → matmul → h; h → relu and h → tanh; add → reshape 4×4 → max pool 2×2 → out. Backwards,
        // the pool sets the sum's gradient, the add adds (it cannot set), tanh sets h's gradient
        // and relu then adds to it.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([6]);
        var kernel = new Parameter("kernel", [6, 16], Initializer.Zeros);
        Value h = graph.Apply(new MatMulBiasOp(kernel, null), x);
        Value relu = graph.Apply(new ActivationOp(ActivationKind.Relu), h);
        Value tanh = graph.Apply(new ActivationOp(ActivationKind.Tanh), h);
        Value sum = graph.Apply(new AddOp(), relu, tanh);
        Value image = graph.Apply(new ReshapeOp([1, 4, 4]), sum);
        Value output = graph.Apply(new Pool2DOp(PoolingKind.Max, new SlidingWindow(2, 2, 2, 2, Padding.Valid)), image);
        kernel.Allocate(accelerator);
        var random = new System.Random(5);
        float[] weights = Enumerable.Range(0, 96).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] inputs = Enumerable.Range(0, 12).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] projection = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        GraphGradientCheck.AssertMatches(accelerator, graph, x, output, kernel, weights, inputs, projection,
            [h, relu, tanh, sum, output], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void A_convolution_sets_its_inputs_gradient_over_a_stale_buffer(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        // x → matmul → reshape 2×5×5 → conv 3×3 (3 filters, padded) → out: the convolution is the
        // only op to write the reshaped image's gradient, so it sets it.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([4]);
        var kernel = new Parameter("kernel", [4, 50], Initializer.Zeros);
        Value h = graph.Apply(new MatMulBiasOp(kernel, null), x);
        Value image = graph.Apply(new ReshapeOp([2, 5, 5]), h);
        var conv = new Conv2DOp(new Parameter("conv_kernel", [3, 2, 3, 3], Initializer.Zeros),
            new Parameter("conv_bias", [3], Initializer.Zeros), new SlidingWindow(3, 3, 1, 1, Padding.Same));
        Value output = graph.Apply(conv, image);
        foreach (Parameter p in graph.Parameters) p.Allocate(accelerator);
        var random = new System.Random(9);
        float[] weights = Enumerable.Range(0, 200).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] convKernel = Enumerable.Range(0, conv.Kernel.Length).Select(_ =>
            (float)(random.NextDouble() - 0.5)).ToArray();
        float[] inputs = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] projection = Enumerable.Range(0, 2 * 75).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        accelerator.Upload(convKernel, conv.Kernel.Value.Buffer);
        accelerator.Fill(0.1f, 3, conv.Bias!.Value.Buffer);

        GraphGradientCheck.AssertMatches(accelerator, graph, x, output, kernel, weights, inputs, projection,
            [h, output], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Dense_layers_set_or_add_their_inputs_gradient_over_a_stale_buffer(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        // x → matmul → h; h → matmul → a and h → matmul → b; a + b → out. Backwards, the second
        // reader of h is the first to write its gradient and sets it; the first reader adds to it.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([5]);
        var kernel = new Parameter("kernel", [5, 12], Initializer.Zeros);
        Value h = graph.Apply(new MatMulBiasOp(kernel, null), x);
        var left = new MatMulBiasOp(new Parameter("left", [12, 7], Initializer.Zeros),
            new Parameter("left_bias", [7], Initializer.Zeros));
        var right = new MatMulBiasOp(new Parameter("right", [12, 7], Initializer.Zeros), null);
        Value a = graph.Apply(left, h), b = graph.Apply(right, h);
        Value output = graph.Apply(new AddOp(), a, b);
        foreach (Parameter p in graph.Parameters) p.Allocate(accelerator);
        var random = new System.Random(11);
        float[] Values(int count, double scale) =>
            Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        float[] weights = Values(60, 0.5);
        accelerator.Upload(Values(84, 0.5), left.Kernel.Value.Buffer);
        accelerator.Upload(Values(7, 0.1), left.Bias!.Value.Buffer);
        accelerator.Upload(Values(84, 0.5), right.Kernel.Value.Buffer);
        float[] inputs = Values(10, 1), projection = Values(14, 1);

        GraphGradientCheck.AssertMatches(accelerator, graph, x, output, kernel, weights, inputs, projection,
            [h, a, b, output], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Dropout_sets_its_inputs_gradient_over_a_stale_buffer(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        // x → matmul → relu → dropout → matmul → out: the dropout is the only op to write the ReLU's output
        // gradient, so it sets it; the same step's mask holds through the central differences.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([5]);
        var kernel = new Parameter("kernel", [5, 16], Initializer.Zeros);
        Value h = graph.Apply(new MatMulBiasOp(kernel, null), x);
        Value relu = graph.Apply(new ActivationOp(ActivationKind.Relu), h);
        Value dropped = graph.Apply(new DropoutOp(0.5f), relu);
        var head = new MatMulBiasOp(new Parameter("head", [16, 3], Initializer.Zeros), null);
        Value output = graph.Apply(head, dropped);
        foreach (Parameter p in graph.Parameters) p.Allocate(accelerator);
        var random = new System.Random(17);
        float[] Values(int count, double scale) =>
            Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        accelerator.Upload(Values(48, 0.5), head.Kernel.Value.Buffer);

        GraphGradientCheck.AssertMatches(accelerator, graph, x, output, kernel, Values(80, 0.5), Values(15, 1),
            Values(9, 1), [h, relu, dropped], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    public static TheoryData<string, bool> AcceleratorsAndOrders()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in AcceleratorCatalog.Names)
        {
            data.Add(name, true);
            data.Add(name, false);
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorsAndOrders))]
    public void Batch_norm_sets_or_adds_to_its_inputs_gradient_over_a_stale_buffer(string acceleratorName,
        bool batchNormLast)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        // x → matmul → h; h → batch norm → a and h → tanh → b; a + b → out. Backwards, whichever reader of h was
        // applied last writes its gradient first and sets it, the other adds: batch norm sets over NaN in one order
        // and adds to tanh's share in the other.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([5]);
        var kernel = new Parameter("kernel", [5, 12], Initializer.Zeros);
        Value h = graph.Apply(new MatMulBiasOp(kernel, null), x);
        var batchNorm = new BatchNormOp(new Parameter("gamma", [12], Initializer.Ones),
            new Parameter("beta", [12], Initializer.Zeros), new Parameter("moving_mean", [12], Initializer.Zeros),
            new Parameter("moving_variance", [12], Initializer.Ones), 0.99f, 1e-3f);
        var tanh = new ActivationOp(ActivationKind.Tanh);
        Value a = batchNormLast ? graph.Apply(tanh, h) : graph.Apply(batchNorm, h);
        Value b = batchNormLast ? graph.Apply(batchNorm, h) : graph.Apply(tanh, h);
        Value output = graph.Apply(new AddOp(), a, b);
        foreach (Parameter p in graph.Parameters) p.Allocate(accelerator);
        var random = new System.Random(19);
        float[] Values(int count, double scale) =>
            Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        accelerator.Upload(Values(12, 0.5).Select(v => v + 1f).ToArray(), batchNorm.Gamma!.Value.Buffer);
        // Either way one reader sets h's gradient, so the step need not zero it.
        using (var plan = new ExecutionPlan(graph, accelerator, batchSize: 4, withGradients: true))
            Assert.False(plan.ZeroesGradientOf(h));

        GraphGradientCheck.AssertMatches(accelerator, graph, x, output, kernel, Values(60, 0.5), Values(20, 1),
            Values(48, 1), [h, a, b], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void A_kernel_two_dense_ops_share_is_set_by_the_later_and_added_to_by_the_earlier(string acceleratorName)
    {
        using IAccelerator accelerator = AcceleratorCatalog.Create(acceleratorName);
        // x → matmul(K) → tanh → matmul(K) → out. Backwards, the second matmul is the first to write K's
        // gradient and sets it (over NaN); the first adds its share. Setting both would drop a share,
        // adding both would keep the NaN.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([6]);
        var kernel = new Parameter("shared", [6, 6], Initializer.Zeros);
        Value h = graph.Apply(new MatMulBiasOp(kernel, null), x);
        Value t = graph.Apply(new ActivationOp(ActivationKind.Tanh), h);
        Value output = graph.Apply(new MatMulBiasOp(kernel, null), t);
        kernel.Allocate(accelerator);
        using (var plan = new ExecutionPlan(graph, accelerator, batchSize: 1, withGradients: true))
            Assert.True(plan.SetsGradientOf(kernel));
        var random = new System.Random(13);
        float[] Values(int count, double scale) =>
            Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();

        GraphGradientCheck.AssertMatches(accelerator, graph, x, output, kernel, Values(36, 0.5), Values(18, 1),
            Values(18, 1), [h, t], 1e-3f, new Tolerance(2e-3, 2e-2));
    }

    [Fact]
    public void A_trained_dense_kernel_is_set_and_a_bias_or_batch_norm_scale_is_added_to()
    {
        var graph = new ComputationGraph();
        Value x = graph.AddInput([3]);
        var dense = new MatMulBiasOp(new Parameter("kernel", [3, 4], Initializer.Zeros),
            new Parameter("bias", [4], Initializer.Zeros));
        graph.Apply(new ActivationOp(ActivationKind.Relu), graph.Apply(dense, x));
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        foreach (Parameter p in graph.Parameters) p.Allocate(accelerator);
        using var training = new ExecutionPlan(graph, accelerator, batchSize: 2, withGradients: true);
        Assert.True(training.SetsGradientOf(dense.Kernel));
        Assert.False(training.SetsGradientOf(dense.Bias!));
        using var inference = new ExecutionPlan(graph, accelerator, batchSize: 2, withGradients: false);
        Assert.False(inference.SetsGradientOf(dense.Kernel));
    }

    [Fact]
    public void A_seeded_gradient_is_added_to_never_set()
    {
        using var accelerator = new GpuNet.Accelerators.Cpu.CpuAccelerator();
        // The loss writes the logits' gradient itself (softmax fused into cross-entropy); the
        // sigmoid after them, first to write that gradient in the backward pass, must add to it.
        var graph = new ComputationGraph();
        Value x = graph.AddInput([3]);
        var kernel = new Parameter("kernel", [3, 4], Initializer.Zeros);
        Value logits = graph.Apply(new MatMulBiasOp(kernel, null), x);
        Value output = graph.Apply(new ActivationOp(ActivationKind.Sigmoid), logits);
        kernel.Allocate(accelerator);
        float[] seed = [0.5f, -1f, 2f, 0.25f];

        float[] LogitGradient(IReadOnlyCollection<Value>? seeded)
        {
            using var plan = new ExecutionPlan(graph, accelerator, batchSize: 1, withGradients: true,
                seededGradients: seeded);
            var context = new OpContext(accelerator) { Training = true };
            plan.Forward(context);
            plan.ZeroGradients();
            accelerator.Upload(seed, plan.GradientOf(logits)!.Buffer);
            plan.Backward(context);
            float[] gradient = new float[4];
            accelerator.Download(plan.GradientOf(logits)!.Buffer, gradient);
            return gradient;
        }

        // The output's gradient is zero, so the sigmoid adds nothing: the seed stays.
        Assert.Equal(seed, LogitGradient([logits]));
        // Not told of the seed, the plan lets the sigmoid set the gradient, which wipes it.
        Assert.Equal(new float[4], LogitGradient(null));
    }
}
