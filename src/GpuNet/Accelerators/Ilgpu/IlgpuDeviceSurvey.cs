using ILGPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// What ILGPU finds on this machine, and why a backend has no device: ILGPU itself swallows the
/// errors of device discovery and reports an empty list, which tells a user nothing.
/// </summary>
public static class IlgpuDeviceSurvey
{
    /// <summary>Every device each ILGPU backend sees, usable or not, with its description.</summary>
    public static IReadOnlyList<IlgpuDeviceEntry> List()
    {
        var entries = new List<IlgpuDeviceEntry>();
        using (Context cuda = IlgpuContexts.Create(b => b.Cuda()))
            foreach (CudaDevice device in cuda.GetCudaDevices())
                entries.Add(new IlgpuDeviceEntry(IlgpuBackend.Cuda, device.Name, device.MemorySize, Describe(device),
                    Usable: true));
        if (entries.Count == 0)
            entries.Add(new IlgpuDeviceEntry(IlgpuBackend.Cuda, "(none)", 0, WhyNoCuda(), Usable: false));

        int openCL = entries.Count;
        using (Context all = IlgpuContexts.Create(b => b.OpenCL(_ => true)))
            foreach (CLDevice device in all.GetCLDevices())
                entries.Add(new IlgpuDeviceEntry(IlgpuBackend.OpenCL, device.Name, device.MemorySize, Describe(device),
                    IlgpuContexts.IsUsable(device)));
        if (entries.Count == openCL)
            entries.Add(new IlgpuDeviceEntry(IlgpuBackend.OpenCL, "(none)", 0, WhyNoOpenCL(), Usable: false));

        var cpu = IlgpuContexts.CpuDevice;
        entries.Add(new IlgpuDeviceEntry(IlgpuBackend.Cpu, "ILGPU CPU accelerator",
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            $"{cpu.NumMultiprocessors} multiprocessors of {cpu.WarpSize}-thread warps", Usable: true));
        return entries;
    }

    /// <summary>Whether a CUDA device is there for ILGPU, and the reason either way (for "auto" and for skipped
    /// tests).</summary>
    public static bool HasCuda(out string reason)
    {
        using Context context = IlgpuContexts.Create(b => b.Cuda());
        if (context.GetCudaDevices().Count > 0)
        {
            CudaDevice device = context.GetCudaDevice(0);
            reason = $"found {device.Name} through {NativeLibraryNames.Find("cuda")}";
            return true;
        }
        reason = WhyNoCuda();
        return false;
    }

    /// <summary>Whether an OpenCL device ILGPU accepts is there, and the reason either way.</summary>
    public static bool HasOpenCL(out string reason)
    {
        using Context context = IlgpuContexts.Create(b => b.OpenCL(IlgpuContexts.IsUsable));
        if (context.GetCLDevices().Count > 0)
        {
            reason = $"found {context.GetCLDevice(0).Name}";
            return true;
        }
        reason = WhyNoOpenCL();
        return false;
    }

    /// <summary>Why ILGPU found no CUDA device.</summary>
    public static string WhyNoCuda()
    {
        NativeLibraryNames.Install();
        string? library = NativeLibraryNames.Find("cuda");
        if (library is null) return "the NVIDIA driver is not installed (neither libcuda.so nor libcuda.so.1 loads)";
        if (!CudaAPI.CurrentAPI.IsSupported)
            return $"{library} loads, but ILGPU could not bind the CUDA driver API from it";
        if (!CudaAPI.CurrentAPI.Init())
            return $"{library} loads, but cuInit failed (is the driver's kernel module loaded?)";
        CudaError error = CudaAPI.CurrentAPI.GetDeviceCount(out int count);
        if (error != CudaError.CUDA_SUCCESS)
            return $"{library}: cuDeviceGetCount failed with {error}: {CudaAPI.CurrentAPI.GetErrorString(error)}";
        if (count == 0) return $"{library} reports no CUDA device";
        return $"{library} reports {count} device(s), but ILGPU 1.5.3 supports none of them (an architecture or PTX " +
            $"version it does not know)";
    }

    /// <summary>Why ILGPU found no OpenCL device it accepts.</summary>
    public static string WhyNoOpenCL()
    {
        NativeLibraryNames.Install();
        string? library = NativeLibraryNames.Find("OpenCL");
        if (library is null) return "no OpenCL library is installed (neither libOpenCL.so nor libOpenCL.so.1 loads)";
        using Context context = IlgpuContexts.Create(b => b.OpenCL(_ => true));
        var refused = new List<string>();
        foreach (CLDevice device in context.GetCLDevices())
            refused.Add($"{device.Name} (OpenCL C {device.CVersion}{(device.Capabilities.Float64 ? ""
                : ", no double precision")})");
        return refused.Count == 0
            ? $"{library} loads but reports no OpenCL device"
            : "GpuNet needs OpenCL C 2.0 with the generic address space (for ILGPU) and double precision (for its " +
                "sums), " +
              $"which {string.Join(", ", refused)} does not offer";
    }

    public static string Describe(CudaDevice device) =>
        $"compute capability {device.Architecture?.ToString() ?? "unknown"}, PTX {device.InstructionSet?.ToString()
            ?? "unknown"}, " +
        $"driver CUDA {device.DriverVersion}, {device.NumMultiprocessors} multiprocessors";

    public static string Describe(CLDevice device) =>
        $"{device.DeviceType} by {device.VendorName}, OpenCL C {device.CVersion}, platform {device.PlatformName}";
}

/// <summary>One device an ILGPU backend sees.</summary>
/// <param name="Usable">Whether GpuNet can run on it.</param>
public sealed record IlgpuDeviceEntry(string Backend, string Name, long MemoryBytes, string Details, bool Usable);
