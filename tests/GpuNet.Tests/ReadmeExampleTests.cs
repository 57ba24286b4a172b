using GpuNet.Accelerators.Cpu;
using GpuNet.Data;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Tests.Data;
using GpuNet.Tests.Training;
using GpuNet.Training;

namespace GpuNet.Tests;

/// <summary>The C# example in README.md is this code, and it runs.</summary>
public sealed class ReadmeExampleTests
{
    // README example begins
    static EvaluationResult TrainLectureNetwork(Dataset train, Dataset test, int epochs)
    {
        var model = new Sequential([28, 28], [
            new FlattenLayer(),
            new DenseLayer(30, activation: "sigmoid"),
            new DenseLayer(10, activation: "softmax"),
        ]);
        Console.WriteLine(model.Summary());
        using var trainer = new Trainer(model, Loss.CategoricalCrossEntropy, new Sgd(1.0f), new CpuAccelerator(),
            seed: 1);
        History history = trainer.Fit(train, epochs, batchSize: 30, validation: test);
        return trainer.Evaluate(test);
    }
    // README example ends

    [Fact]
    public void Example_trains()
    {
        EvaluationResult result = TrainLectureNetwork(MnistSubset.Train(6_000), MnistSubset.Test(1_000), epochs: 1);
        Assert.True(result.Accuracy > 0.8f, $"accuracy {result.Accuracy:P1}");
    }

    [Fact]
    public void Readme_shows_the_example_verbatim()
    {
        string source = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "tests", "GpuNet.Tests",
            "ReadmeExampleTests.cs"));
        int start = source.IndexOf("// README example begins", StringComparison.Ordinal);
        int end = source.IndexOf("    // README example ends", StringComparison.Ordinal);
        string[] lines = source[start..end].Split('\n').Skip(1).Where(l => l.Length > 0).Select(l =>
            l.StartsWith("    ") ? l[4..] : l).ToArray();
        string readme = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "README.md"));
        Assert.Contains(string.Join('\n', lines), readme);
    }
}
