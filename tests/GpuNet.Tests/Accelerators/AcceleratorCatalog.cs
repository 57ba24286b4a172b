using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Ilgpu;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The accelerators the suite runs on. Tests that take an accelerator name are written once and
/// bound to each of them through this list: "cpu", the fast CPU path; "ilgpu-cpu", the ILGPU
/// kernels on ILGPU's CPU accelerator; and "cuda", the same kernels on an NVIDIA GPU. Where no
/// CUDA device is found, <see cref="Create"/> skips the test that asks for one, with the reason, so
/// those tests are [SkippableFact]/[SkippableTheory] and report themselves skipped, never passed.
/// </summary>
public static class AcceleratorCatalog
{
    /// <summary>Why the "cuda" accelerator is or is not in <see cref="Names"/>.</summary>
    public static string CudaStatus => Cuda.Value.Reason;

    public static bool HasCuda => Cuda.Value.Present;

    private static readonly Lazy<(bool Present, string Reason)> Cuda = new(() =>
        (IlgpuDeviceSurvey.HasCuda(out string reason), reason));

    /// <summary>Every accelerator the kernels run on.</summary>
    public static TheoryData<string> Names => new() { "cpu", IlgpuBackend.Cpu, IlgpuBackend.Cuda };

    /// <summary>The ILGPU accelerators, each compared with the CPU.</summary>
    public static TheoryData<string> IlgpuNames => new() { IlgpuBackend.Cpu, IlgpuBackend.Cuda };

    /// <summary>The accelerator of that name; for "cuda" without a device, skips the calling test.</summary>
    public static IAccelerator Create(string name)
    {
        switch (name)
        {
            case "cpu":
                return new CpuAccelerator();
            case IlgpuBackend.Cpu:
                return new IlgpuAccelerator(name);
            case IlgpuBackend.Cuda:
                Skip.IfNot(HasCuda, $"No CUDA device: {CudaStatus}");
                return new IlgpuAccelerator(name);
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "unknown accelerator");
        }
    }
}
