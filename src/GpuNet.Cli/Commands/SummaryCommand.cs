using CommandLine;
using GpuNet.Config;

namespace GpuNet.Cli.Commands;

[Verb("summary",
    HelpText = "Print the model of a config as a Keras-style table: layers, output shapes, parameter counts.")]
public sealed class SummaryOptions
{
    [Value(0, MetaName = "CONFIG", Required = true, HelpText = "The run config (.yaml or .json).")]
    public string Config { get; set; } = "";
}

public static class SummaryCommand
{
    public static int Run(SummaryOptions options)
    {
        RunConfig config = RunConfigReader.ReadFile(options.Config);
        Console.WriteLine(config.CreateModel().Summary());
        return 0;
    }
}
