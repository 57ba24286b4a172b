using CommandLine;
using GpuNet.Accelerators;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Training;

namespace GpuNet.Cli.Commands;

[Verb("evaluate", HelpText = "Evaluate saved weights on the test set of the config's dataset.")]
public sealed class EvaluateOptions : DataOptionsBase
{
    [Value(0, MetaName = "CONFIG", Required = true, HelpText = "The run config the weights were trained with.")]
    public string Config { get; set; } = "";

    [Option("weights", Required = true, HelpText = "A weights file (weights.safetensors of a run folder, or a checkpoint's).")]
    public string Weights { get; set; } = "";
}

public static class EvaluateCommand
{
    public static int Run(EvaluateOptions options)
    {
        RunConfig config = RunConfigReader.ReadFile(options.Config);
        using var accelerator = AcceleratorFactory.Create(options.Backend ?? config.Backend, Console.Out);
        using var trainer = new Trainer(config.CreateModel(), config.Loss, config.CreateOptimizer(), accelerator, config.Seed);
        trainer.LoadWeights(options.Weights);
        var (_, test) = DatasetLoader.Load(config.Dataset, options.DataDirectory, Console.Out);
        TrainCommand.PrintPerformance("testing", trainer.Evaluate(test));
        return 0;
    }
}
