using System.Globalization;
using CommandLine;
using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Models;
using GpuNet.Training;

namespace GpuNet.Cli.Commands;

[Verb("train", HelpText = "Train the model of a config file and report its training and test performance.")]
public sealed class TrainOptions
{
    [Value(0, MetaName = "CONFIG", Required = true, HelpText = "The run config (.yaml or .json).")]
    public string Config { get; set; } = "";

    [Option("epochs", HelpText = "Override the config's number of epochs.")]
    public int? Epochs { get; set; }

    [Option("batch-size", HelpText = "Override the config's batch size.")]
    public int? BatchSize { get; set; }

    [Option("seed", HelpText = "Override the config's random seed.")]
    public ulong? Seed { get; set; }

    [Option("data", HelpText = "A folder that holds the dataset's IDX files (instead of GPUNET_DATA or the data/ cache).")]
    public string? DataDirectory { get; set; }
}

public static class TrainCommand
{
    public static int Run(TrainOptions options)
    {
        RunConfig config = RunConfigReader.ReadFile(options.Config);
        ApplyOverrides(config, options);
        Sequential model = config.CreateModel();
        var (train, test) = DatasetLoader.Load(config.Dataset, options.DataDirectory, Console.Out);

        using var accelerator = new CpuAccelerator();
        using var trainer = new Trainer(model, config.Loss, config.CreateOptimizer(), accelerator, config.Seed);
        Console.WriteLine($"Training {config.Name} on {accelerator.Name} ({CpuParallel.ThreadCount} threads): " +
                          $"{trainer.Model.TrainableParameterCount:N0} trainable parameters, {config.Loss.Name}, {trainer.Optimizer.Name} " +
                          $"lr {trainer.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {config.BatchSize}, {config.Epochs} epochs, seed {config.Seed}");
        Console.WriteLine($"Data: {config.Dataset}, {train.Count:N0} training and {test.Count:N0} test samples");

        var progress = new KerasProgressBar(Console.Out, live: !Console.IsOutputRedirected);
        trainer.Fit(train, config.Epochs, config.BatchSize, validation: test, callbacks: [progress]);

        PrintPerformance("training", trainer.Evaluate(train));
        PrintPerformance("testing", trainer.Evaluate(test));
        return 0;
    }

    private static void ApplyOverrides(RunConfig config, TrainOptions options)
    {
        if (options.Epochs is { } epochs) config.Epochs = epochs > 0 ? epochs : throw new GpuNetException($"--epochs must be a positive integer, got {epochs}");
        if (options.BatchSize is { } batch) config.BatchSize = batch > 0 ? batch : throw new GpuNetException($"--batch-size must be a positive integer, got {batch}");
        if (options.Seed is { } seed) config.Seed = seed;
    }

    private static void PrintPerformance(string set, EvaluationResult result)
    {
        Console.WriteLine($"Performance ({set})");
        Console.WriteLine($"  Loss: {result.Loss.ToString("0.00000", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"  Accuracy: {result.Accuracy.ToString("0.00000", CultureInfo.InvariantCulture)}");
    }
}
