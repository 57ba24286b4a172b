using System.Diagnostics;
using GpuNet.Serialization;
using GpuNet.Tests.Data;

namespace GpuNet.Tests.Cli;

/// <summary>
/// A run killed with SIGKILL in the middle of an epoch resumes from its last checkpoint and ends
/// with weights identical, bit for bit, to a run that was never interrupted.
/// </summary>
public sealed class ResumeAfterKillTests : IDisposable
{
    private const string Config = """
        name: killed
        model:
          input_shape: [784]
          layers:
            - Dense: {units: 256, activation: relu}
            - Dense: {units: 256, activation: relu}
            - Dense: {units: 10, activation: softmax}
        loss: categorical_crossentropy
        optimizer: {Adam: {lr: 0.001}}
        batch_size: 20
        epochs: 5
        seed: 11
        training_range: [0, 12000]
        validation_data: none
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Killed_run_resumes_to_identical_weights()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), Config);
        string data = TestData.MnistDirectory;

        var straight = GpunetProcess.Run(_folder, "train", "run.yaml", "--data", data, "--runs", "straight");
        Assert.True(straight.ExitCode == 0, straight.Error);

        // Start the same run and kill it once epoch 2's checkpoint exists, part-way into epoch 3.
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _folder, RedirectStandardOutput = true,
            RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "gpunet.dll"), "train", "run.yaml",
            "--data", data, "--runs", "killed" })
            start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (CheckpointEpoch("killed") < 2)
            {
                Assert.False(process.HasExited, "the run finished before it could be killed");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no checkpoint of epoch 2 after 3 minutes");
                Thread.Sleep(20);
            }
            Thread.Sleep(150);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true); // SIGKILL on Unix
            process.WaitForExit();
        }
        int killedAfter = CheckpointEpoch("killed");
        Assert.InRange(killedAfter, 2, 4);
        string runFolder = Directory.GetDirectories(Path.Combine(_folder, "killed")).Single();
        Assert.False(File.Exists(Path.Combine(runFolder, "weights.safetensors")));

        var resumed = GpunetProcess.Run(_folder, "train", "run.yaml", "--data", data, "--resume", runFolder);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"Resuming {runFolder} after epoch {killedAfter}", resumed.Output);

        var expected = SafeTensorsFile.Read(Path.Combine(Directory.GetDirectories(Path.Combine(_folder,
            "straight")).Single(), "weights.safetensors")).Tensors;
        var actual = SafeTensorsFile.Read(Path.Combine(runFolder, "weights.safetensors")).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected) Assert.Equal(tensor.Values, actual[name].Values);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(runFolder, "history.csv")).Length - 1);
    }

    private int CheckpointEpoch(string runs)
    {
        string root = Path.Combine(_folder, runs);
        if (!Directory.Exists(root)) return 0;
        foreach (string run in Directory.GetDirectories(root))
        {
            string file = Path.Combine(run, "checkpoint.json");
            if (!File.Exists(file)) continue;
            try
            {
                return GpuNet.Training.Checkpoint.Load(GpuNet.Training.RunFolder.Open(run)).Epoch;
            }
            catch (Exception e) when (e is IOException or GpuNetException)
            {
                return 0; // being replaced right now; look again
            }
        }
        return 0;
    }
}
