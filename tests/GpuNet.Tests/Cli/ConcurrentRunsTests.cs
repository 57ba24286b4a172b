using GpuNet.Tests.Data;

namespace GpuNet.Tests.Cli;

/// <summary>Eight gpunet train processes of one config started at once each get a run folder of their own.</summary>
public sealed class ConcurrentRunsTests : IDisposable
{
    private const string Config = """
        name: concurrent
        model:
          input_shape: [784]
          layers:
            - Dense: {units: 10, activation: softmax}
        loss: categorical_crossentropy
        optimizer: SGD
        batch_size: 50
        epochs: 1
        training_range: [0, 200]
        validation_data: none
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-concurrent-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Eight_runs_of_one_config_started_at_once_get_eight_folders()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), Config);
        GpunetProcess.Result[] runs = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ =>
                Task.Run(() =>
                    GpunetProcess.Run(_folder, "train", "run.yaml", "--data", TestData.MnistDirectory, "--runs",
                        "runs"))));

        foreach (var run in runs) Assert.True(run.ExitCode == 0, run.Error);
        string[] printed = runs.Select(r =>
            r.Output.Split('\n').Single(l => l.StartsWith("Weights: ", StringComparison.Ordinal))).ToArray();
        Assert.Equal(8, printed.Distinct().Count());
        string[] folders = Directory.GetFileSystemEntries(Path.Combine(_folder, "runs"));
        Assert.Equal(8, folders.Length);
        foreach (string folder in folders)
        {
            Assert.StartsWith("concurrent-", Path.GetFileName(folder));
            Assert.Equal(Config, File.ReadAllText(Path.Combine(folder, "config.yaml")));
            Assert.True(File.Exists(Path.Combine(folder, "weights.safetensors")));
            Assert.Single(Directory.GetFiles(folder, "checkpoint.json"));
        }
    }
}
