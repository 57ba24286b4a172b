using GpuNet.Accelerators.Cpu;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Parameters;
using GpuNet.Optimizers;
using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>Per-layer gradient norms logged every epoch.</summary>
public sealed class GradientNormTests
{
    [Fact]
    public void Norm_of_a_single_step_is_the_norm_of_that_gradient()
    {
        var model = new Sequential([784], [new DenseLayer(16, "sigmoid"), new DenseLayer(10, "softmax")]);
        using var trainer = new Trainer(model, Loss.CategoricalCrossEntropy, new Sgd(0.1f), new CpuAccelerator(),
            seed: 1);
        History history = trainer.Fit(MnistSubset.Train(64), epochs: 1, batchSize: 64);
        var norms = history.Epochs[0].GradientNorms;
        Assert.Equal(["dense", "dense_1"], norms.Select(n => n.Layer));
        for (int i = 0; i < 2; i++)
        {
            // After the only step, each kernel's gradient buffer still holds that step's gradient.
            Parameter kernel = trainer.Model.Parameters.Where(p => p.Name.EndsWith("/kernel")).ElementAt(i);
            float[] g = new float[kernel.Length];
            trainer.Accelerator.Download(kernel.Gradient.Buffer, g);
            Assert.Equal(Math.Sqrt(g.Sum(x => (double)x * x)), norms[i].Norm, 4);
        }
    }

    [Fact]
    public void Deep_sigmoid_network_shows_the_vanishing_gradient()
    {
        var layers = Enumerable.Range(0, 5).Select(_ => (Layer)new DenseLayer(30, "sigmoid")).Append(new DenseLayer(10,
            "softmax"));
        var model = new Sequential([784], layers);
        using var trainer = new Trainer(model, Loss.CategoricalCrossEntropy, new Sgd(0.1f), new CpuAccelerator(),
            seed: 1);
        var norms = trainer.Fit(MnistSubset.Train(1000), epochs: 1, batchSize: 10).Epochs[0].GradientNorms;
        Assert.Equal(6, norms.Count);
        // Each sigmoid layer multiplies the backward signal by at most 1/4: the first layer learns far slower than the
        // last.
        Assert.True(norms[0].Norm * 10 < norms[^1].Norm,
            string.Join(", ", norms.Select(n => $"{n.Layer} {n.Norm:G3}")));
    }
}
