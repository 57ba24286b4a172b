using CommandLine;

namespace GpuNet.Cli.Commands;

/// <summary>The --data and --backend options every command that reads a dataset shares.</summary>
public abstract class DataOptionsBase
{
    [Option("backend", HelpText = "cpu, cuda or auto (CUDA where a device is found, else the CPU); overrides the config's backend. GPUNET_CUDA_LIBRARY names another CUDA driver library.")]
    public string? Backend { get; set; }

    [Option("data", HelpText = "A folder that holds the dataset's IDX files (instead of GPUNET_DATA or the data/ cache).")]
    public string? DataDirectory { get; set; }
}
