using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Numerics;

/// <summary>Each loss's gradient kernel against finite differences of its per-sample forward kernel.</summary>
public sealed class LossGradientTests
{
    public static TheoryData<string, LossKind> Cases()
    {
        var data = new TheoryData<string, LossKind>();
        foreach (string name in AcceleratorCatalog.Names)
            foreach (LossKind kind in Enum.GetValues<LossKind>()) data.Add(name, kind);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Loss_gradient_matches_finite_differences(string acceleratorName, LossKind kind)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        const int rows = 4, cols = 10;
        var random = new System.Random(5);
        // Probability-like predictions for the losses that take probabilities, raw logits for the fused one.
        float[] prediction = Enumerable.Range(0, rows * cols).Select(_ => kind == LossKind.SoftmaxCrossEntropy
            ? (float)(random.NextDouble() * 6 - 3)
            : (float)(0.1 + 0.8 * random.NextDouble())).ToArray();
        float[] target = new float[rows * cols];
        for (int r = 0; r < rows; r++) target[r * cols + random.Next(cols)] = 1f;

        var p = accelerator.Allocate(rows * cols);
        var t = accelerator.Allocate(rows * cols);
        var losses = accelerator.Allocate(rows);
        var gradient = accelerator.Allocate(rows * cols);
        accelerator.Upload(target, t);
        accelerator.Upload(prediction, p);
        const float scale = 0.5f;
        accelerator.LossBackward(kind, p, t, rows, cols, scale, gradient);
        float[] analytic = new float[rows * cols];
        accelerator.Download(gradient, analytic);

        double Loss(float[] values)
        {
            accelerator.Upload(values, p);
            accelerator.LossForward(kind, p, t, rows, cols, losses);
            float[] perSample = new float[rows];
            accelerator.Download(losses, perSample);
            return scale * perSample.Sum(v => (double)v);
        }

        CentralDifference.AssertMatches(prediction, analytic, Loss, 1e-3f, new Tolerance(2e-3, 2e-2), kind.ToString());
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Fused_softmax_cross_entropy_equals_cross_entropy_of_softmax(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        float[] logits = [2f, -1f, 0.5f, 3f, 0f, -2f];
        float[] target = [0f, 0f, 1f, 1f, 0f, 0f];
        var z = accelerator.Allocate(6);
        var probabilities = accelerator.Allocate(6);
        var t = accelerator.Allocate(6);
        var fused = accelerator.Allocate(2);
        var plain = accelerator.Allocate(2);
        accelerator.Upload(logits, z);
        accelerator.Upload(target, t);
        accelerator.SoftmaxForward(z, 2, 3, probabilities);
        accelerator.LossForward(LossKind.SoftmaxCrossEntropy, z, t, 2, 3, fused);
        accelerator.LossForward(LossKind.CategoricalCrossEntropy, probabilities, t, 2, 3, plain);
        float[] a = new float[2], b = new float[2];
        accelerator.Download(fused, a);
        accelerator.Download(plain, b);
        new Tolerance(1e-6, 1e-5).AssertClose(a, b, "loss");
        // −log softmax(0.5 | 2, −1, 0.5) by hand.
        Assert.Equal(-Math.Log(Math.Exp(0.5) / (Math.Exp(2) + Math.Exp(-1) + Math.Exp(0.5))), a[0], 5);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.Names), MemberType = typeof(AcceleratorCatalog))]
    public void Mean_squared_error_is_the_mean_over_classes_as_in_keras(string acceleratorName)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var p = accelerator.Allocate(4);
        var t = accelerator.Allocate(4);
        var loss = accelerator.Allocate(1);
        accelerator.Upload([0.5f, 0f, 1f, 0.25f], p);
        accelerator.Upload([1f, 0f, 0f, 0f], t);
        accelerator.LossForward(LossKind.MeanSquaredError, p, t, 1, 4, loss);
        float[] value = new float[1];
        accelerator.Download(loss, value);
        Assert.Equal((0.25 + 0 + 1 + 0.0625) / 4, value[0], 6);
    }
}
