namespace GpuNet.Accelerators.Ilgpu;

/// <summary>The ILGPU backends a run can ask for by name.</summary>
public static class IlgpuBackend
{
    /// <summary>ILGPU's CUDA accelerator: NVIDIA GPUs through the driver (libcuda), no toolkit needed.</summary>
    public const string Cuda = "cuda";

    /// <summary>ILGPU's OpenCL accelerator: AMD and Intel GPUs whose driver offers OpenCL C 2.0 with the generic
    /// address space.</summary>
    public const string OpenCL = "opencl";

    /// <summary>The same kernels on ILGPU's CPU accelerator, every GPU thread a CPU thread: for tests and for debugging
    /// a kernel.</summary>
    public const string Cpu = "ilgpu-cpu";

    public static IReadOnlyList<string> All { get; } = [Cuda, OpenCL, Cpu];
}
