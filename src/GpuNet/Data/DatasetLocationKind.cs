namespace GpuNet.Data;

/// <summary>Which of the places searched held a dataset, in the order they are searched.</summary>
public enum DatasetLocationKind
{
    /// <summary>The folder the user named explicitly (the command line's <c>--data DIR</c>).</summary>
    DataOption,

    /// <summary>The folder named by the environment variable <c>GPUNET_DATA</c>.</summary>
    EnvironmentVariable,

    /// <summary>The dataset cache, <c>data/&lt;name&gt;/</c>, where downloads go.</summary>
    Cache,
}
