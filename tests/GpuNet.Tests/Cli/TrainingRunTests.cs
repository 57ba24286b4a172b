using GpuNet.Tests.Data;

namespace GpuNet.Tests.Cli;

/// <summary>Whole runs through the gpunet tool: run folder contents, early stopping, divergence.</summary>
public sealed class TrainingRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-run-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private GpunetProcess.Result Train(string config, params string[] extra)
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), config);
        return GpunetProcess.Run(_folder, ["train", "run.yaml", "--data", TestData.MnistDirectory, .. extra]);
    }

    [Fact]
    public void Early_stopping_run_stops_on_its_own_and_says_when()
    {
        var result = Train("""
            name: early
            model: {input_shape: [784], layers: [Dense: {units: 32, activation: sigmoid},
                Dense: {units: 10, activation: softmax}]}
            loss: categorical_crossentropy
            optimizer: {SGD: {lr: 5.0}}
            batch_size: 10
            epochs: 40
            training_range: [0, 2000]
            validation_data: [50000, 51000]
            callbacks: [EarlyStopping: {monitor: val_loss, patience: 3}]
            """);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(@"Epoch (\d+): early stopping \(best val_loss [0-9.]+ at epoch \d+\)", result.Output);
        Assert.DoesNotContain("Epoch 40/40", result.Output);
        string run = Directory.GetDirectories(Path.Combine(_folder, "runs")).Single();
        Assert.True(File.Exists(Path.Combine(run, "weights.safetensors")));
        Assert.Equal(File.ReadAllText(Path.Combine(_folder, "run.yaml")),
            File.ReadAllText(Path.Combine(run, "config.yaml")));
        Assert.Contains("\"val_loss\"", File.ReadAllText(Path.Combine(run, "history.json")));
    }

    [Fact]
    public void Divergence_names_epoch_and_batch_and_keeps_the_last_checkpoint()
    {
        // The step schedule multiplies the learning rate by 1e30 from epoch 2 on.
        var result = Train("""
            name: diverge
            model: {input_shape: [784], layers: [Dense: {units: 10, activation: linear}]}
            loss: mean_squared_error
            optimizer: {SGD: {lr: 0.01}}
            batch_size: 100
            epochs: 3
            training_range: [0, 1000]
            validation_data: none
            callbacks: [StepDecay: {drop: 1.0e30, epochs_drop: 1}]
            """);
        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"error: training diverged: the loss became (NaN|∞|Infinity|-∞) in epoch 2, batch \d+\.",
            result.Error);
        Assert.Contains("The checkpoint of epoch 1 in runs/diverge-", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        string run = Directory.GetDirectories(Path.Combine(_folder, "runs")).Single();
        Assert.Equal(1, GpuNet.Training.Checkpoint.Load(GpuNet.Training.RunFolder.Open(run)).Epoch);
    }

    [Fact]
    public void Evaluate_and_predict_read_the_run_weights()
    {
        var train = Train("""
            name: small
            model: {input_shape: [784], layers: [Dense: {units: 10, activation: softmax}]}
            loss: categorical_crossentropy
            optimizer: {SGD: {lr: 0.5}}
            batch_size: 50
            epochs: 1
            training_range: [0, 2000]
            """);
        Assert.True(train.ExitCode == 0, train.Error);
        string weights = Path.Combine(Directory.GetDirectories(Path.Combine(_folder, "runs")).Single(),
            "weights.safetensors");
        string testing = train.Output[train.Output.IndexOf("Performance (testing)", StringComparison.Ordinal)..];

        var evaluate = GpunetProcess.Run(_folder, "evaluate", "run.yaml", "--weights", weights, "--data",
            TestData.MnistDirectory);
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains(testing.Split('\n')[2].Trim(), evaluate.Output); // the same test accuracy

        var predict = GpunetProcess.Run(_folder, "predict", "run.yaml", "--weights", weights, "--data",
            TestData.MnistDirectory, "--output", "p.csv");
        Assert.True(predict.ExitCode == 0, predict.Error);
        string[] lines = File.ReadAllLines(Path.Combine(_folder, "p.csv"));
        Assert.Equal("index,label,predicted,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", lines[0]);
        Assert.Equal(10_001, lines.Length);
        double sum = lines[1].Split(',')[3..].Sum(v =>
            double.Parse(v, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1.0, sum, 3);
    }

    [Fact]
    public void Weights_of_another_model_are_refused_by_evaluate()
    {
        var train = Train("""
            model: {input_shape: [784], layers: [Dense: {units: 10, activation: softmax}]}
            loss: categorical_crossentropy
            optimizer: SGD
            epochs: 1
            training_range: [0, 500]
            """);
        Assert.True(train.ExitCode == 0, train.Error);
        string weights = Path.Combine(Directory.GetDirectories(Path.Combine(_folder, "runs")).Single(),
            "weights.safetensors");
        File.WriteAllText(Path.Combine(_folder, "other.yaml"),
            "model: {input_shape: [784], layers: [Dense: {units: 20}, Dense: {units: 10, activation: " +
                "softmax}]}\nloss: categorical_crossentropy\noptimizer: SGD\n");
        var evaluate = GpunetProcess.Run(_folder, "evaluate", "other.yaml", "--weights", weights, "--data",
            TestData.MnistDirectory);
        Assert.Equal(2, evaluate.ExitCode);
        Assert.Contains("different architecture", evaluate.Error);
    }
}
