using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Parameters;
using GpuNet.Optimizers;
using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>kernel_regularizer: the penalty is in the reported loss and in the gradient.</summary>
public sealed class RegularizationTests
{
    [Theory]
    [InlineData(0f, 0.01f)]
    [InlineData(0.001f, 0f)]
    [InlineData(0.001f, 0.01f)]
    public void Reported_loss_includes_the_penalty(float l1, float l2)
    {
        var data = MnistSubset.Test(200);
        EvaluationResult Evaluate(Regularizer? regularizer)
        {
            var model = new Sequential([784], [new DenseLayer(10, "softmax", kernelRegularizer: regularizer)]);
            using var trainer = new Trainer(model, Loss.CategoricalCrossEntropy, new Sgd(0.1f), new CpuAccelerator(),
                seed: 4);
            var result = trainer.Evaluate(data);
            Parameter kernel = trainer.Model.Parameters[0];
            float[] w = new float[kernel.Length];
            trainer.Accelerator.Download(kernel.Value.Buffer, w);
            double penalty = regularizer is null ? 0 : l1 * w.Sum(x => Math.Abs((double)x))
                + l2 * w.Sum(x => (double)x * x);
            return result with { Loss = result.Loss - (float)penalty };
        }
        // Same seed, same weights: the plain loss plus the hand-computed penalty is the regularized loss.
        EvaluationResult plain = Evaluate(null), regularized = Evaluate(new Regularizer(l1, l2));
        Assert.Equal(plain.Loss, regularized.Loss, 4);
        Assert.NotEqual(0f, plain.Loss);
    }

    [Fact]
    public void Strong_l2_shrinks_the_weights()
    {
        double Norm(Regularizer? regularizer)
        {
            var model = new Sequential([784], [new DenseLayer(10, "softmax", kernelRegularizer: regularizer)]);
            using var trainer = new Trainer(model, Loss.CategoricalCrossEntropy, new Sgd(0.1f), new CpuAccelerator(),
                seed: 4);
            trainer.Fit(MnistSubset.Train(1000), epochs: 2, batchSize: 50);
            float[] w = new float[7840];
            trainer.Accelerator.Download(trainer.Model.Parameters[0].Value.Buffer, w);
            return Math.Sqrt(w.Sum(x => (double)x * x));
        }
        Assert.True(Norm(Regularizer.OfL2(0.5f)) < 0.5 * Norm(null));
    }

    [Theory]
    [InlineData("{l2: 0.01}", 0f, 0.01f)]
    [InlineData("{l1: 0.02}", 0.02f, 0f)]
    [InlineData("'l2(0.01)'", 0f, 0.01f)]
    [InlineData("'l1_l2(0.1, 0.2)'", 0.1f, 0.2f)]
    [InlineData("{l1_l2: {l1: 0.3, l2: 0.4}}", 0.3f, 0.4f)]
    public void Config_spellings(string spelling, float l1, float l2)
    {
        string text =
            $"model:\n  input_shape: [784]\n  layers:\n    - Dense: {{units: 10, kernel_regularizer: " +
                $"{spelling}}}\nloss: mse\noptimizer: SGD\n";
        var dense = (DenseLayer)RunConfigReader.Read("r.yaml", text).Layers[0];
        Assert.Equal(new Regularizer(l1, l2), dense.KernelRegularizer);
    }

    [Fact]
    public void Unknown_regularizer_is_named()
    {
        const string text =
            "model:\n  input_shape: [784]\n  layers:\n    - Dense: {units: 10, kernel_regularizer: {l3: 0.01}}\nloss: "
                +
                "mse\noptimizer: SGD\n";
        var error = Assert.Throws<ConfigException>(() => RunConfigReader.Read("r.yaml", text));
        Assert.Contains("unknown regularizer 'l3'; valid regularizers are l1, l2, l1_l2", error.Message);
    }
}
