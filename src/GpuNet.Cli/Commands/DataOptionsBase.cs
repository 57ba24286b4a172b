using CommandLine;

namespace GpuNet.Cli.Commands;

/// <summary>The --data and --backend options every command that reads a dataset shares.</summary>
public abstract class DataOptionsBase
{
    [Option("backend",
        HelpText = "auto, cpu, cuda, opencl or ilgpu-cpu (auto: a CUDA device, else an OpenCL one, else the CPU); " +
            "overrides the config's backend.")]
    public string? Backend { get; set; }

    [Option("data",
        HelpText = "A folder that holds the dataset's IDX files (instead of GPUNET_DATA or the data/ cache).")]
    public string? DataDirectory { get; set; }
}
