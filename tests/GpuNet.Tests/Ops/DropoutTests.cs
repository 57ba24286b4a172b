using GpuNet.Kernels;
using GpuNet.Graph;
using GpuNet.Ops;
using GpuNet.Random;
using GpuNet.Tensors;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Ops;

/// <summary>Inverted dropout: the mask's source, its reproducibility, its statistics and its gradient.</summary>
public sealed class DropoutTests
{
    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Dropout_gradients_match_finite_differences(string acceleratorName)
    {
        // One context.Step throughout, so every forward of the check draws the same mask.
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        new GradientChecker(accelerator) { MaxChecksPerTensor = 100 }.Check(new DropoutOp(0.4f), batch: 3, [4, 5, 5]);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Mask_is_Philox_of_seed_step_node_and_element_index(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        const int batch = 3, features = 1001;
        const float rate = 0.3f;
        float[] x = Enumerable.Range(0, batch * features).Select(i => 1f + i % 7).ToArray();
        float[] y = Run(accelerator, new DropoutOp(rate), batch, [features], x, training: true, step: 5, node: 2);
        ulong stream = RandomStreams.Dropout(5, 2);
        for (int i = 0; i < x.Length; i++)
        {
            bool keep = Philox.Uniform(7, stream, (ulong)i) >= rate;
            Assert.Equal(keep ? x[i] / (1f - rate) : 0f, y[i], 5);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Same_step_gives_the_same_mask_and_another_step_another(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var op = new DropoutOp(0.5f);
        float[] x = Enumerable.Repeat(1f, 4 * 500).ToArray();
        float[] first = Run(accelerator, op, 4, [500], x, training: true, step: 9, node: 1);
        float[] again = Run(accelerator, op, 4, [500], x, training: true, step: 9, node: 1);
        float[] nextStep = Run(accelerator, op, 4, [500], x, training: true, step: 10, node: 1);
        float[] otherNode = Run(accelerator, op, 4, [500], x, training: true, step: 9, node: 4);
        Assert.Equal(first, again);
        Assert.NotEqual(first, nextStep);
        Assert.NotEqual(first, otherNode);
    }

    [SkippableTheory]
    [InlineData(0.2f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void Keep_fraction_is_one_minus_rate_and_the_mean_is_kept(float rate)
    {
        using var accelerator = AcceleratorCatalog.Create("cpu");
        const int length = 200_000;
        float[] y = Run(accelerator, new DropoutOp(rate), 1, [length], Enumerable.Repeat(1f, length).ToArray(),
            training: true, step: 1, node: 0);
        double kept = y.Count(v => v != 0f) / (double)length;
        // Binomial: the standard deviation of the fraction is √(p(1 − p)/n) ≤ 0.0012; allow 5 of them.
        Assert.InRange(kept, 1 - rate - 0.006, 1 - rate + 0.006);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(1f / (1f - rate), v, 5));
        Assert.InRange(y.Average(v => (double)v), 0.98, 1.02);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Evaluation_is_the_identity(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        float[] x = RandomInputs.Uniform(new System.Random(2), 2 * 3 * 4 * 4);
        Assert.Equal(x, Run(accelerator, new DropoutOp(0.5f), 2, [3, 4, 4], x, training: false, step: 3, node: 0));
    }

    [SkippableTheory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Rate_outside_zero_to_one_is_refused(float rate)
    {
        var error = Assert.Throws<GpuNetException>(() => new DropoutOp(rate));
        Assert.Contains("'rate' must be in [0, 1)", error.Message);
    }

    private static float[] Run(GpuNet.Accelerators.IAccelerator accelerator, DropoutOp op, int batch, int[] sample,
        float[] x, bool training, long step, int node)
    {
        var input = new Tensor(accelerator.Allocate(x.Length), ShapeOf.WithBatch(batch, sample));
        accelerator.Upload(x, input.Buffer);
        var output = new Tensor(accelerator.Allocate(x.Length), input.Shape);
        var mask = new Tensor(accelerator.Allocate(x.Length), [x.Length]);
        var context = new OpContext(accelerator) { BatchSize = batch, Training = training, Seed = 7, Step = step,
            NodeIndex = node };
        op.Forward(context, new OpTensors([input], output, [null], null, mask));
        float[] y = new float[x.Length];
        accelerator.Download(output.Buffer, y);
        return y;
    }
}
