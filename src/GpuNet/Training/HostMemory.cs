namespace GpuNet.Training;

/// <summary>
/// The memory a run on the CPU may still use: what the runtime may take on this machine (or under
/// its container's limit), less what the process already holds (the loaded data, above all).
/// </summary>
public static class HostMemory
{
    /// <summary>Names this memory in a refusal: "… more than the 20 GB of memory this machine has".</summary>
    public const string Description = "of memory this machine has available";

    public static long AvailableBytes()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return Math.Max(0, total - GC.GetTotalMemory(forceFullCollection: false));
    }
}
