using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Cli;
using GpuNet.Tests.Data;

namespace GpuNet.Tests.Cuda;

/// <summary>The gpunet tool with --backend, on the CUDA path through GPUNET_CUDA_LIBRARY = the host emulator.</summary>
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
        training_range: [0, 1000]
        """;

    [Fact]
    public void Train_and_evaluate_run_on_the_cuda_path_through_the_emulator()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), Config);
        var emulator = new Dictionary<string, string> { ["GPUNET_CUDA_LIBRARY"] = AcceleratorCatalog.EmulatorLibrary };
        var train = GpunetProcess.Run(_folder, emulator, "train", "run.yaml", "--backend", "cuda", "--data", TestData.MnistDirectory);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("Backend: cuda on GpuNet host emulator (asked for; driver ", train.Output);
        Assert.Contains("Training small on cuda", train.Output);

        string weights = Path.Combine(Directory.GetDirectories(Path.Combine(_folder, "runs")).Single(), "weights.safetensors");
        var evaluate = GpunetProcess.Run(_folder, emulator, "evaluate", "run.yaml", "--weights", weights, "--backend", "auto", "--data", TestData.MnistDirectory);
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("Backend: cuda on GpuNet host emulator (auto: 1 CUDA device(s)", evaluate.Output);
    }

    [Fact]
    public void An_unknown_backend_is_refused_with_the_choices()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), Config);
        var train = GpunetProcess.Run(_folder, "train", "run.yaml", "--backend", "tpu", "--data", TestData.MnistDirectory);
        Assert.NotEqual(0, train.ExitCode);
        Assert.Contains("unknown backend 'tpu'; valid backends are auto, cpu, cuda", train.Error + train.Output);
    }
}
