using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Parameters;
using GpuNet.Ops;
using GpuNet.Tensors;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Ops;

/// <summary>Batch normalization: gradients through the batch statistics, the moving averages, evaluation
/// mode.</summary>
public sealed class BatchNormTests
{
    public static TheoryData<string, int[], bool, bool> GradientCases()
    {
        var data = new TheoryData<string, int[], bool, bool>();
        foreach (string name in AcceleratorCatalog.Names)
        {
            data.Add(name, [6], true, true);       // after Dense: per feature, over the batch
            data.Add(name, [3, 4, 5], true, true); // after Conv2D: per channel, over batch, height and width
            data.Add(name, [3, 4, 5], false, true);
            data.Add(name, [6], true, false);
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(GradientCases))]
    public void Training_mode_gradients_match_finite_differences(string acceleratorName, int[] sample, bool scale,
        bool center)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        BatchNormOp op = NewOp(BatchNormOp.ChannelsOf(sample), scale, center);
        // The output depends on every input of its channel through the statistics; ε = 1e-2 on U(−1, 1) inputs
        // keeps the second-order error of the difference near 1e-4 of the normalized values.
        new GradientChecker(accelerator) { MaxChecksPerTensor = 80 }.Check(op, batch: sample.Length == 1 ? 5 : 2,
            sample);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Training_normalizes_with_batch_statistics_and_moves_the_averages(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        const int batch = 4, channels = 2, height = 3, width = 2, spatial = height * width;
        var random = new System.Random(8);
        float[] x = Enumerable.Range(0, batch * channels * spatial).Select(_ =>
            (float)(random.NextDouble() * 4 + 1)).ToArray();
        BatchNormOp op = NewOp(channels, scale: true, center: true, momentum: 0.9f);
        Allocate(accelerator, op, gamma: [2f, 0.5f], beta: [1f, -1f], movingMean: [0.5f, -0.5f],
            movingVariance: [2f, 3f]);

        float[] y = Run(accelerator, op, batch, [channels, height, width], x, training: true);

        float[] movingMean = Download(accelerator, op.MovingMean),
            movingVariance = Download(accelerator, op.MovingVariance);
        for (int c = 0; c < channels; c++)
        {
            var values = Enumerable.Range(0, batch).SelectMany(n =>
                x.Skip((n * channels + c) * spatial).Take(spatial)).Select(v => (double)v).ToArray();
            double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
            // moving = moving · momentum + batch · (1 − momentum), with the biased batch variance.
            Assert.Equal(new[] { 0.5, -0.5 }[c] * 0.9 + mean * 0.1, movingMean[c], 5);
            Assert.Equal(new[] { 2.0, 3.0 }[c] * 0.9 + variance * 0.1, movingVariance[c], 5);
            var outputs = Enumerable.Range(0, batch).SelectMany(n =>
                y.Skip((n * channels + c) * spatial).Take(spatial)).Select(v => (double)v).ToArray();
            double gamma = c == 0 ? 2 : 0.5, beta = c == 0 ? 1 : -1;
            // The outputs have mean beta and variance gamma² · var / (var + ε).
            Assert.Equal(beta, outputs.Average(), 4);
            Assert.Equal(gamma * gamma * variance / (variance + 1e-3),
                outputs.Select(v => (v - beta) * (v - beta)).Average(), 3);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Evaluation_normalizes_with_the_moving_statistics_and_leaves_them(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        BatchNormOp op = NewOp(3, scale: true, center: true);
        Allocate(accelerator, op, gamma: [1f, 2f, 3f], beta: [0f, 1f, -1f], movingMean: [0.5f, 1f, -2f],
            movingVariance: [4f, 1f, 0.25f]);
        float[] x = [1f, 2f, 3f, -1f, 0f, 5f];
        float[] y = Run(accelerator, op, 2, [3], x, training: false);
        float[] mean = [0.5f, 1f, -2f], variance = [4f, 1f, 0.25f], gamma = [1f, 2f, 3f], beta = [0f, 1f, -1f];
        float[] expected = x.Select((v, i) => gamma[i % 3] * (v - mean[i % 3]) / MathF.Sqrt(variance[i % 3] + 1e-3f)
            + beta[i % 3]).ToArray();
        new Tolerance(1e-6, 1e-5).AssertClose(y, expected, "y");
        Assert.Equal(mean, Download(accelerator, op.MovingMean));
        Assert.Equal(variance, Download(accelerator, op.MovingVariance));
    }

    private static BatchNormOp NewOp(int channels, bool scale, bool center, float momentum = 0.99f) => new(
        scale ? new Parameter("gamma", [channels], Initializer.Ones) : null,
        center ? new Parameter("beta", [channels], Initializer.Zeros) : null,
        new Parameter("moving_mean", [channels], Initializer.Zeros, trainable: false),
        new Parameter("moving_variance", [channels], Initializer.Ones, trainable: false),
        momentum, 1e-3f);

    private static void Allocate(IAccelerator accelerator, BatchNormOp op, float[] gamma, float[] beta,
        float[] movingMean, float[] movingVariance)
    {
        foreach (Parameter p in op.Parameters) p.Allocate(accelerator);
        accelerator.Upload(gamma, op.Gamma!.Value.Buffer);
        accelerator.Upload(beta, op.Beta!.Value.Buffer);
        accelerator.Upload(movingMean, op.MovingMean.Value.Buffer);
        accelerator.Upload(movingVariance, op.MovingVariance.Value.Buffer);
    }

    private static float[] Run(IAccelerator accelerator, BatchNormOp op, int batch, int[] sample, float[] x,
        bool training) =>
        ConvolutionTests.RunForward(accelerator, op, batch, sample, x, training);

    private static float[] Download(IAccelerator accelerator, Parameter p)
    {
        float[] values = new float[p.Length];
        accelerator.Download(p.Value.Buffer, values);
        return values;
    }
}
