using GpuNet.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// How the kernels are launched on one device: the group size of the grid-stride loops and how
/// many groups fill the device, and the group sizes of the kernels that share memory (which must
/// equal the <see cref="IKernelShape"/> they were compiled for).
/// </summary>
internal sealed record LaunchGeometry(int GroupSize, int MaxGroups, int ReduceThreads, int GemmThreadRows,
    int GemmThreadColumns, int PartialGroups)
{
    /// <summary>256-thread groups, enough of them to keep every multiprocessor busy.</summary>
    public static LaunchGeometry ForGpu(Accelerator device) => Of<GpuKernelShape>(
        groupSize: 256,
        maxGroups: device.NumMultiprocessors * Math.Max(1, device.MaxNumThreadsPerMultiprocessor / 256) * 2,
        partialGroups: device.NumMultiprocessors * 2,
        device);

    /// <summary>
    /// One warp a group, two groups a multiprocessor: the CPU accelerator's threads are operating-system
    /// threads, so a few groups with long grid-stride loops cost least.
    /// </summary>
    public static LaunchGeometry ForCpu(Accelerator device) => Of<CpuKernelShape>(
        groupSize: device.WarpSize,
        maxGroups: device.NumMultiprocessors * 2,
        partialGroups: device.NumMultiprocessors,
        device);

    private static LaunchGeometry Of<TShape>(int groupSize, int maxGroups, int partialGroups, Accelerator device)
        where TShape : struct, IKernelShape
    {
        TShape shape = default;
        int largest = Math.Max(groupSize,
            Math.Max(shape.ReduceThreads, shape.GemmThreadRows * shape.GemmThreadColumns));
        if (largest > device.MaxNumThreadsPerGroup)
            throw new GpuNetException(
                $"{device.Name} runs at most {device.MaxNumThreadsPerGroup} threads a group; GpuNet's kernels need " +
                    $"{largest}");
        return new LaunchGeometry(groupSize, Math.Max(1, maxGroups), shape.ReduceThreads, shape.GemmThreadRows,
            shape.GemmThreadColumns, Math.Max(1, partialGroups));
    }

    /// <summary>A grid-stride launch over <paramref name="items"/> items.</summary>
    public KernelConfig Elementwise(long items) =>
        new((int)Math.Clamp((items + GroupSize - 1) / GroupSize, 1, MaxGroups), GroupSize);

    /// <summary><paramref name="groups"/> reduction groups (one a channel, or one for a whole sum).</summary>
    public KernelConfig Reduction(int groups) => new(groups, ReduceThreads);

    /// <summary>A GEMM of c [m, n]: a group per 4R × 4C tile.</summary>
    public KernelConfig Gemm(int m, int n)
    {
        int tileRows = 4 * GemmThreadRows, tileColumns = 4 * GemmThreadColumns;
        return new KernelConfig(
            new Index2D((n + tileColumns - 1) / tileColumns, (m + tileRows - 1) / tileRows),
            new Index2D(GemmThreadRows * GemmThreadColumns, 1));
    }
}
