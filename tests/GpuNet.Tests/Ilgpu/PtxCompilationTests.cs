using System.Reflection;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Kernels;
using GpuNet.Tests.Accelerators;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GpuNet.Tests.Ilgpu;

/// <summary>
/// Every kernel compiled by ILGPU's PTX backend for three generations of NVIDIA GPUs, with the
/// context options training runs with — no GPU needed, so a kernel the CUDA backend cannot take
/// fails here on every machine rather than at a user's first run. (ptxas is not run: what only the
/// driver checks when it loads a module still needs a GPU, see bench/gpu-check.sh.)
/// </summary>
public sealed class PtxCompilationTests
{
    public static TheoryData<string, string> KernelsAndArchitectures()
    {
        var data = new TheoryData<string, string>();
        foreach (MethodInfo kernel in DeviceKernels.All)
            foreach (string architecture in Targets.Keys) data.Add(DeviceKernels.Name(kernel), architecture);
        return data;
    }

    // Each architecture with the oldest PTX version that knows it.
    private static readonly Dictionary<string, (CudaArchitecture Architecture,
        CudaInstructionSet InstructionSet)> Targets = new()
    {
        ["sm_70"] = (CudaArchitecture.SM_70, CudaInstructionSet.ISA_70),
        ["sm_80"] = (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70),
        ["sm_90"] = (CudaArchitecture.SM_90, CudaInstructionSet.ISA_78),
    };

    [Theory]
    [MemberData(nameof(KernelsAndArchitectures))]
    public void Kernel_compiles_to_ptx(string kernel, string architecture)
    {
        var (arch, isa) = Targets[architecture];
        // A fresh context each time: after one failed compile ILGPU's context is unusable.
        using Context context = IlgpuContexts.Create(builder => builder);
        using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, isa, nvvmAPI: null);
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(DeviceKernels.Named(kernel));
        var compiled = (PTXCompiledKernel)backend.Compile(entry, new KernelSpecialization());
        Assert.Contains(".entry ", compiled.PTXAssembly);
        Assert.Contains($".target {(architecture == "sm_70" ? "sm_70" : "sm_80")}", compiled.PTXAssembly);
    }

    [Fact]
    public void Every_accelerator_operation_has_a_kernel_and_every_kernel_an_operation()
    {
        var operations = AcceleratorOperations.Computing.ToHashSet();
        var served = DeviceKernels.All.SelectMany(k =>
            k.GetCustomAttribute<KernelForAttribute>()!.Operations).ToHashSet();
        Assert.Empty(operations.Except(served).Order());
        Assert.Empty(served.Except(operations).Order());
        // And the accelerator implements each itself, not through the interface's defaults.
        var implemented = typeof(IlgpuAccelerator).GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m =>
            m.Name).ToHashSet();
        Assert.Empty(operations.Except(implemented).Order());
    }
}
