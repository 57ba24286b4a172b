using GpuNet.Backends;
using CommandLine;
using GpuNet.Accelerators;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Reports;
using GpuNet.Training;

namespace GpuNet.Cli.Commands;

[Verb("report", HelpText = "Rebuild report.html (and its PNG and SVG files) from a run folder.")]
public sealed class ReportOptions : DataOptionsBase
{
    [Value(0, MetaName = "RUN_DIR", Required = true, HelpText = "A run folder written by gpunet train.")]
    public string RunFolder { get; set; } = "";
}

public static class ReportCommand
{
    public static int Run(ReportOptions options)
    {
        RunFolder folder = Training.RunFolder.Open(options.RunFolder);
        if (!File.Exists(folder.ConfigFile))
            throw new GpuNetException($"{folder.ConfigFile}: not found; a run folder written by gpunet train holds " +
                $"the run's config.yaml");
        RunConfig config = RunConfigReader.ReadFile(folder.ConfigFile);
        var (fullTrain, test) = DatasetLoader.Load(config.Dataset, options.DataDirectory, Console.Out);
        var (train, _) = config.Validation.Select(fullTrain, test, config.TrainingRange);

        using var accelerator = AcceleratorFactory.Create(options.Backend ?? config.Backend, Console.Out);
        using var trainer = new Trainer(config.CreateModel(), config.Loss, config.CreateOptimizer(), accelerator,
            config.Seed);
        History history;
        if (File.Exists(folder.WeightsFile))
        {
            trainer.LoadWeights(folder.WeightsFile);
            history = HistoryFiles.Read(folder.HistoryJsonFile);
            Console.WriteLine($"Report of {folder.Path} from {folder.WeightsFile}");
        }
        else if (File.Exists(folder.CheckpointFile))
        {
            // An unfinished run: its last checkpoint holds both the weights and the history so far.
            Checkpoint checkpoint = Checkpoint.Load(folder);
            trainer.SetWeights(checkpoint.Tensors, folder.CheckpointFile);
            history = checkpoint.History;
            Console.WriteLine($"Report of {folder.Path} from the checkpoint of epoch {checkpoint.Epoch} (the run has " +
                $"no final weights)");
        }
        else if (Directory.Exists(Path.Combine(folder.Path, "member-1")))
            throw new GpuNetException($"{folder.Path}: is an ensemble's run folder; each member has its own report, " +
                $"e.g. gpunet report {Path.Combine(folder.Path, "member-1")}");
        else throw new GpuNetException($"{folder.Path}: holds neither weights.safetensors nor checkpoint.json, so no " +
            $"epoch of this run finished");

        string page = RunReportWriter.Write(folder.Path,
            RunReport.Collect(trainer, config, history.Epochs, train, test));
        Console.WriteLine($"Report: {page}");
        return 0;
    }
}
