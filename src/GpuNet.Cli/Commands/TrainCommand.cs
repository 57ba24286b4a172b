using System.Globalization;
using CommandLine;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Reports;
using GpuNet.Training;

namespace GpuNet.Cli.Commands;

[Verb("train", HelpText = "Train the model of a config file and report its training and test performance.")]
public sealed class TrainOptions : DataOptionsBase
{
    [Value(0, MetaName = "CONFIG", Required = true, HelpText = "The run config (.yaml or .json).")]
    public string Config { get; set; } = "";

    [Option("epochs", HelpText = "Override the config's number of epochs (with --resume: train up to this epoch).")]
    public int? Epochs { get; set; }

    [Option("batch-size", HelpText = "Override the config's batch size.")]
    public int? BatchSize { get; set; }

    [Option("seed", HelpText = "Override the config's random seed.")]
    public ulong? Seed { get; set; }

    [Option("runs", Default = "runs", HelpText = "The folder in which each run gets its own folder (config copy, history, checkpoint, weights).")]
    public string RunsRoot { get; set; } = "runs";

    [Option("resume", HelpText = "A run folder to continue from its last checkpoint.")]
    public string? Resume { get; set; }
}

public static class TrainCommand
{
    public static int Run(TrainOptions options)
    {
        RunConfig config = RunConfigReader.ReadFile(options.Config);
        ApplyOverrides(config, options);
        var model = config.CreateModel();
        var (fullTrain, test) = DatasetLoader.Load(config.Dataset, options.DataDirectory, Console.Out);
        var (train, validation) = config.Validation.Select(fullTrain, test, config.TrainingRange);

        using var accelerator = AcceleratorFactory.Create(options.Backend ?? config.Backend, Console.Out);
        using var trainer = new Trainer(model, config.Loss, config.CreateOptimizer(), accelerator, config.Seed);
        IReadOnlyList<TrainingCallback> configured = config.CreateCallbacks();
        var history = new History();
        RunFolder folder;
        int initialEpoch = 0;
        if (options.Resume is { } resume)
        {
            folder = RunFolder.Open(resume);
            Checkpoint checkpoint = Checkpoint.Load(folder);
            checkpoint.Restore(trainer, configured, folder.CheckpointFile);
            history = checkpoint.History;
            initialEpoch = checkpoint.Epoch;
            Console.WriteLine($"Resuming {folder.Path} after epoch {initialEpoch} (step {trainer.Iterations:N0})");
            if (initialEpoch >= config.Epochs)
                throw new GpuNetException($"{folder.Path}: the run already finished epoch {initialEpoch} of {config.Epochs}; pass --epochs N with N > {initialEpoch} to train further");
        }
        else
        {
            folder = RunFolder.Create(options.RunsRoot, config.Name, DateTime.Now);
            Serialization.AtomicFile.WriteAllText(folder.ConfigFile, config.SourceText);
        }

        Console.WriteLine($"Training {config.Name} on {accelerator.Name}{(accelerator is CpuAccelerator ? $" ({CpuParallel.ThreadCount} threads)" : "")}: " +
                          $"{trainer.Model.TrainableParameterCount:N0} trainable parameters, {config.Loss.Name}, {trainer.Optimizer.Name} " +
                          $"lr {trainer.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {config.BatchSize}, {config.Epochs} epochs, seed {config.Seed}");
        Console.WriteLine($"Data: {config.Dataset}, {train.Count:N0} training and {(validation is null ? "no" : validation.Count.ToString("N0", CultureInfo.InvariantCulture))} validation samples; run folder {folder.Path}");

        var checkpoints = new CheckpointCallback(folder, config.SourceText, history, configured);
        var progress = new KerasProgressBar(Console.Out, live: !Console.IsOutputRedirected);
        try
        {
            trainer.Fit(train, config.Epochs, config.BatchSize, validation, [progress, .. configured, checkpoints], initialEpoch, history);
        }
        catch (TrainingDivergedException e)
        {
            string kept = checkpoints.LastSavedEpoch > 0
                ? $"The checkpoint of epoch {checkpoints.LastSavedEpoch} in {folder.Path} is kept."
                : "No epoch had finished, so there is no checkpoint.";
            throw new GpuNetException($"{e.Message} {kept}");
        }
        trainer.SaveWeights(folder.WeightsFile);
        foreach (EarlyStopping stop in configured.OfType<EarlyStopping>().Where(s => s.StoppedEpoch > 0))
            Console.WriteLine($"Epoch {stop.StoppedEpoch}: early stopping (best {stop.Monitor} {stop.Best.ToString("0.0000", CultureInfo.InvariantCulture)} at epoch {stop.BestEpoch})");

        RunReport report = RunReport.Collect(trainer, config, history.Epochs, train, test);
        PrintPerformance("training", report.Training);
        PrintPerformance("testing", report.Testing);
        Console.WriteLine($"Weights: {folder.WeightsFile}");
        Console.WriteLine($"Report: {RunReportWriter.Write(folder.Path, report)}");
        return 0;
    }

    private static void ApplyOverrides(RunConfig config, TrainOptions options)
    {
        if (options.Epochs is { } epochs) config.Epochs = epochs > 0 ? epochs : throw new GpuNetException($"--epochs must be a positive integer, got {epochs}");
        if (options.BatchSize is { } batch) config.BatchSize = batch > 0 ? batch : throw new GpuNetException($"--batch-size must be a positive integer, got {batch}");
        if (options.Seed is { } seed) config.Seed = seed;
    }

    internal static void PrintPerformance(string set, EvaluationResult result)
    {
        Console.WriteLine($"Performance ({set})");
        Console.WriteLine($"  Loss: {result.Loss.ToString("0.00000", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"  Accuracy: {result.Accuracy.ToString("0.00000", CultureInfo.InvariantCulture)}");
    }
}
