using GpuNet.Kernels;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// One ILGPU device opened for GpuNet: its context and accelerator, the kernels compiled for it,
/// how kernels are launched on it, and cuBLAS where that loads. Opening one compiles every kernel
/// (a second or more), so one is kept per backend for the life of the process and shared by every
/// <see cref="IlgpuAccelerator"/> made on it; each of those owns its own memory.
/// </summary>
public sealed class IlgpuDevice
{
    private static readonly Dictionary<string, IlgpuDevice> Opened = new(StringComparer.Ordinal);
    private static readonly object OpenedGate = new();

    /// <summary>Set to 0 to run the ILGPU GEMM kernel on CUDA even where cuBLAS loads (to compare the two).</summary>
    public const string CuBlasSwitch = "GPUNET_CUBLAS";

    private readonly Context _context;
    private readonly object _gate = new();

    private IlgpuDevice(string backend, Context context, Accelerator accelerator, string details)
    {
        Backend = backend;
        _context = context;
        Accelerator = accelerator;
        Details = details;
        bool gpu = accelerator.AcceleratorType != AcceleratorType.CPU;
        Geometry = gpu ? LaunchGeometry.ForGpu(accelerator) : LaunchGeometry.ForCpu(accelerator);
        Kernels = gpu ? IlgpuKernels.Load<GpuKernelShape>(accelerator) : IlgpuKernels.Load<CpuKernelShape>(accelerator);
        if (accelerator is CudaAccelerator && Environment.GetEnvironmentVariable(CuBlasSwitch) == "0")
        {
            GemmDescription = $"GEMM by the ILGPU tiled kernel ({CuBlasSwitch}=0)";
        }
        else if (accelerator is CudaAccelerator cuda)
        {
            Blas = CuBlasGemm.TryCreate(cuda, out string reason);
            GemmDescription = reason;
        }
        else
        {
            GemmDescription = "GEMM by the ILGPU tiled kernel";
        }
    }

    /// <summary>"cuda", "opencl" or "ilgpu-cpu".</summary>
    public string Backend { get; }

    /// <summary>The device's name as ILGPU reports it.</summary>
    public string Name => Accelerator.Name;

    /// <summary>The device's memory in bytes.</summary>
    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>Compute capability and driver (CUDA), OpenCL C version (OpenCL), or the CPU device's layout.</summary>
    public string Details { get; }

    /// <summary>Which GEMM runs: cuBLAS with its version, or the ILGPU kernel and why.</summary>
    public string GemmDescription { get; }

    internal Accelerator Accelerator { get; }

    internal AcceleratorStream Stream => Accelerator.DefaultStream;

    internal IlgpuKernels Kernels { get; }

    internal LaunchGeometry Geometry { get; }

    internal CuBlasGemm? Blas { get; }

    /// <summary>
    /// The device opened for <paramref name="backend"/> ("cuda", "opencl", "ilgpu-cpu"), opened
    /// on first use. Throws a <see cref="GpuNetException"/> saying why where the backend has no device.
    /// </summary>
    public static IlgpuDevice Open(string backend)
    {
        lock (OpenedGate)
        {
            if (!Opened.TryGetValue(backend, out IlgpuDevice? device)) Opened[backend] = device = Create(backend);
            return device;
        }
    }

    /// <summary>
    /// Serialises the launches of every accelerator on this device (tests run in parallel, and
    /// ILGPU's CPU accelerator runs one launch at a time) and binds the device to the calling thread.
    /// </summary>
    internal Scope Enter()
    {
        Monitor.Enter(_gate);
        if (!ReferenceEquals(Accelerator.Current, Accelerator)) Accelerator.Bind();
        return new Scope(_gate);
    }

    internal readonly struct Scope(object gate) : IDisposable
    {
        public void Dispose() => Monitor.Exit(gate);
    }

    private static IlgpuDevice Create(string backend)
    {
        switch (backend)
        {
            case IlgpuBackend.Cpu:
            {
                Context context = IlgpuContexts.Create(b => b.CPU(IlgpuContexts.CpuDevice));
                CPUDevice device = context.GetCPUDevice(0);
                var accelerator = device.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
                return new IlgpuDevice(backend, context, accelerator,
                    $"{device.NumMultiprocessors} multiprocessors of {device.WarpSize}-thread warps");
            }
            case IlgpuBackend.Cuda:
            {
                Context context = IlgpuContexts.Create(b => b.Cuda());
                if (context.GetCudaDevices().Count == 0)
                {
                    context.Dispose();
                    throw new GpuNetException($"--backend cuda: no CUDA device: {IlgpuDeviceSurvey.WhyNoCuda()}");
                }
                CudaDevice device = context.GetCudaDevice(0);
                return new IlgpuDevice(backend, context, device.CreateCudaAccelerator(context),
                    IlgpuDeviceSurvey.Describe(device));
            }
            case IlgpuBackend.OpenCL:
            {
                Context context = IlgpuContexts.Create(b => b.OpenCL(IlgpuContexts.IsUsable));
                if (context.GetCLDevices().Count == 0)
                {
                    context.Dispose();
                    throw new GpuNetException($"--backend opencl: no OpenCL device: {IlgpuDeviceSurvey.WhyNoOpenCL()}");
                }
                CLDevice device = context.GetCLDevice(0);
                return new IlgpuDevice(backend, context, device.CreateCLAccelerator(context),
                    IlgpuDeviceSurvey.Describe(device));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(backend), backend,
                    $"not one of {string.Join(", ", IlgpuBackend.All)}");
        }
    }
}
