using ILGPU;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.OpenCL;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// How every ILGPU context of GpuNet is made, in one place, so the kernels compiled for the PTX
/// test see exactly the options that training runs with.
/// </summary>
public static class IlgpuContexts
{
    /// <summary>
    /// ILGPU's CPU accelerator as GpuNet runs it: groups of four threads (warps of four), one
    /// multiprocessor a core. Every thread of a group is an operating-system thread and every
    /// barrier a rendezvous, so small groups keep the kernels' barriers cheap.
    /// </summary>
    public static CPUDevice CpuDevice { get; } =
        new(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 1,
            numMultiprocessors: Math.Max(1, Environment.ProcessorCount));

    /// <summary>A context with ILGPU.Algorithms (MathF and the cuBLAS binding) and the devices that <paramref
    /// name="devices"/> adds.</summary>
    public static Context Create(Func<Context.Builder, Context.Builder> devices)
    {
        NativeLibraryNames.Install();
        return Context.Create(builder => Configure(devices(builder)));
    }

    /// <summary>
    /// An OpenCL device GpuNet can run on: what ILGPU's OpenCL backend needs (OpenCL C 2.0 with the
    /// generic address space), and double precision, which the reductions sum in.
    /// </summary>
    public static bool IsUsable(CLDevice device) =>
        device.CVersion >= ILGPU.Backends.OpenCL.CLBackend.MinimumVersion && device.Capabilities.GenericAddressSpace &&
        device.Capabilities.Float64;

    /// <summary>The options every GpuNet context uses.</summary>
    public static Context.Builder Configure(Context.Builder builder) =>
        builder.EnableAlgorithms().Optimize(OptimizationLevel.O2);
}
