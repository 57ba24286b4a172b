using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cuda;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The accelerators the suite runs on. Tests that take an accelerator name are written once and
/// bound to each of them through this list: "cpu"; "cuda-emulated", the CUDA accelerator driving
/// the host emulator of the driver built next to the tests (kernels/emulator); and "cuda", the
/// real driver, only where libcuda.so.1 loads and reports a device.
/// </summary>
public static class AcceleratorCatalog
{
    /// <summary>The emulator library, copied to the test output by CudaEmulator.targets.</summary>
    public static string EmulatorLibrary { get; } = Path.Combine(AppContext.BaseDirectory, "libgpunet_cuda_emulator.so");

    /// <summary>Why the real "cuda" accelerator is or is not in <see cref="Names"/>.</summary>
    public static string RealDeviceStatus => RealDevice.Value.Reason;

    public static bool HasRealDevice => RealDevice.Value.Present;

    private static readonly Lazy<(bool Present, string Reason)> RealDevice = new(() =>
    {
        int? count = CudaDriver.TryCountDevices(CudaDriver.DefaultLibrary, out string reason);
        return (count > 0, reason);
    });

    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string> { "cpu", "cuda-emulated" };
            if (HasRealDevice) names.Add("cuda");
            return names;
        }
    }

    public static IAccelerator Create(string name) => name switch
    {
        "cpu" => new CpuAccelerator(),
        "cuda-emulated" => new CudaAccelerator(EmulatorLibrary),
        "cuda" => new CudaAccelerator(CudaDriver.DefaultLibrary),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown accelerator"),
    };
}
