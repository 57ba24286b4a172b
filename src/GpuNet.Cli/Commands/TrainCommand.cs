using CommandLine;
using GpuNet.Config;

namespace GpuNet.Cli.Commands;

[Verb("train", HelpText = "Train the model of a config file and report its training and test performance.")]
public sealed class TrainOptions : DataOptionsBase
{
    [Value(0, MetaName = "CONFIG",
        HelpText = "The run config (.yaml or .json); with --resume, the run folder's config.yaml when left out.")]
    public string? Config { get; set; }

    [Option("epochs", HelpText = "Override the config's number of epochs (with --resume: train up to this epoch).")]
    public int? Epochs { get; set; }

    [Option("batch-size", HelpText = "Override the config's batch size.")]
    public int? BatchSize { get; set; }

    [Option("seed", HelpText = "Override the config's random seed.")]
    public ulong? Seed { get; set; }

    [Option("runs", Default = "runs",
        HelpText = "The folder in which each run gets its own folder (config copy, history, checkpoint, weights).")]
    public string RunsRoot { get; set; } = "runs";

    [Option("resume", HelpText = "A run folder to continue from its last checkpoint.")]
    public string? Resume { get; set; }
}

public static class TrainCommand
{
    public static int Run(TrainOptions options)
    {
        RunConfig config = RunConfigReader.ReadFile(ConfigFile(options));
        ApplyOverrides(config, options);
        TrainingRun.Execute(config,
            new RunSettings(options.RunsRoot, options.Resume, options.DataDirectory, options.Backend));
        return 0;
    }

    private static string ConfigFile(TrainOptions options)
    {
        if (options.Config is { } config) return config;
        if (options.Resume is { } resume) return Training.RunFolder.Open(resume).ConfigFile;
        throw new GpuNetException(
            "train needs a CONFIG file, or --resume RUN_DIR to carry on a run with the config in its folder");
    }

    private static void ApplyOverrides(RunConfig config, TrainOptions options)
    {
        if (options.Epochs is { } epochs)
            config.Epochs = epochs > 0 ? epochs
                : throw new GpuNetException($"--epochs must be a positive integer, got {epochs}");
        if (options.BatchSize is { } batch)
            config.BatchSize = batch > 0 ? batch
                : throw new GpuNetException($"--batch-size must be a positive integer, got {batch}");
        if (options.Seed is { } seed) config.Seed = seed;
    }
}
