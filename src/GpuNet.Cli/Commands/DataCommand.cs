using CommandLine;
using GpuNet.Data;

namespace GpuNet.Cli.Commands;

[Verb("data",
    HelpText = "Fetch a dataset into the data/ cache (or check the one found), verifying every file's SHA-256.")]
public sealed class DataOptions : DataOptionsBase
{
    [Value(0, MetaName = "DATASET", Required = true, HelpText = "mnist or fashion-mnist.")]
    public string Dataset { get; set; } = "";
}

public static class DataCommand
{
    public static int Run(DataOptions options)
    {
        DatasetLoader.Prepare(options.Dataset, options.DataDirectory, Console.Out);
        return 0;
    }
}
