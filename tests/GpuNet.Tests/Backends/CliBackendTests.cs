using GpuNet.Tests.Cli;
using GpuNet.Tests.Data;

namespace GpuNet.Tests.Backends;

/// <summary>The gpunet tool with --backend: the ILGPU kernels through the real process, on ILGPU's CPU
/// accelerator.</summary>
public sealed class CliBackendTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-backend-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Config = """
        name: small
        model: {input_shape: [784], layers: [Dense: {units: 10, activation: softmax}]}
        loss: categorical_crossentropy
        optimizer: {SGD: {lr: 0.5}}
        batch_size: 50
        epochs: 1
        training_range: [0, 500]
        validation_data: none
        """;

    [Fact]
    public void Train_and_evaluate_run_on_the_ilgpu_kernels()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), Config);
        var train = GpunetProcess.Run(_folder, "train", "run.yaml", "--backend", "ilgpu-cpu", "--data",
            TestData.MnistDirectory);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("Backend: ilgpu-cpu on ", train.Output);
        Assert.Contains("(asked for; ", train.Output);
        Assert.Contains("Training small on ilgpu-cpu", train.Output);

        string weights = Path.Combine(Directory.GetDirectories(Path.Combine(_folder, "runs")).Single(),
            "weights.safetensors");
        var evaluate = GpunetProcess.Run(_folder, "evaluate", "run.yaml", "--weights", weights, "--backend",
            "ilgpu-cpu", "--data", TestData.MnistDirectory);
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("Backend: ilgpu-cpu on ", evaluate.Output);
    }

    [Fact]
    public void An_unknown_backend_is_refused_with_the_choices()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), Config);
        var train = GpunetProcess.Run(_folder, "train", "run.yaml", "--backend", "tpu", "--data",
            TestData.MnistDirectory);
        Assert.NotEqual(0, train.ExitCode);
        Assert.Contains("unknown backend 'tpu'; valid backends are auto, cpu, cuda, opencl, ilgpu-cpu",
            train.Error + train.Output);
    }
}
