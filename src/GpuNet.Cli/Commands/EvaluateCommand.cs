using CommandLine;

namespace GpuNet.Cli.Commands;

[Verb("evaluate", HelpText = "Evaluate saved weights on the test set of the config's dataset.")]
public sealed class EvaluateOptions : DataOptionsBase
{
    [Value(0, MetaName = "CONFIG", Required = true, HelpText = "The run config the weights were trained with.")]
    public string Config { get; set; } = "";

    [Option("weights", Required = true,
        HelpText = "A weights file (weights.safetensors of a run folder, or a checkpoint's).")]
    public string Weights { get; set; } = "";
}

public static class EvaluateCommand
{
    public static int Run(EvaluateOptions options)
    {
        using var saved = SavedModel.Load(options.Config, options.Weights, options);
        var (trainer, test) = (saved.Trainer, saved.Test);
        TrainingRun.PrintPerformance("testing", trainer.Evaluate(test));
        return 0;
    }
}
