using CommandLine;

namespace GpuNet.Cli.Commands;

/// <summary>The --data option every command that reads a dataset shares.</summary>
public abstract class DataOptionsBase
{
    [Option("data", HelpText = "A folder that holds the dataset's IDX files (instead of GPUNET_DATA or the data/ cache).")]
    public string? DataDirectory { get; set; }
}
