using GpuNet.Accelerators.Ilgpu;

namespace GpuNet.Tests.Ilgpu;

/// <summary>The kernel parity tests on ILGPU's CPU accelerator: they run on every machine.</summary>
public sealed class IlgpuCpuKernelParityTests : KernelParityTests
{
    protected override string Backend => IlgpuBackend.Cpu;
}

/// <summary>The kernel parity tests on a CUDA device; where there is none, each reports itself skipped with the
/// reason.</summary>
public sealed class CudaKernelParityTests : KernelParityTests
{
    protected override string Backend => IlgpuBackend.Cuda;
}
