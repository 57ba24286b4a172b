using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cuda;

namespace GpuNet.Accelerators;

/// <summary>
/// Picks the accelerator a run uses from the --backend option or the config's backend key:
/// "cpu", "cuda", or "auto" (CUDA when the driver library loads and reports a device, else the
/// CPU). Says which one it took and why in one line.
/// </summary>
public static class AcceleratorFactory
{
    public static IReadOnlyList<string> Backends { get; } = ["auto", "cpu", "cuda"];

    /// <summary>Throws a <see cref="GpuNetException"/> naming the valid choices unless <paramref name="backend"/> is one.</summary>
    public static string Validate(string backend, string where) =>
        Backends.Contains(backend)
            ? backend
            : throw new GpuNetException($"{where}: unknown backend '{backend}'; valid backends are {string.Join(", ", Backends)}");

    /// <param name="backend">"cpu", "cuda" or "auto".</param>
    /// <param name="log">Receives the one line that says which accelerator was chosen and why.</param>
    /// <param name="driverLibrary">The CUDA driver library; null for GPUNET_CUDA_LIBRARY, else libcuda.so.1.</param>
    public static IAccelerator Create(string backend, TextWriter log, string? driverLibrary = null)
    {
        string library = driverLibrary
            ?? (Environment.GetEnvironmentVariable(CudaDriver.LibraryVariable) is { Length: > 0 } named ? named : CudaDriver.DefaultLibrary);
        switch (Validate(backend, "--backend"))
        {
            case "cpu":
                log.WriteLine("Backend: cpu (asked for)");
                return new CpuAccelerator();
            case "cuda":
            {
                var cuda = new CudaAccelerator(library);
                log.WriteLine($"Backend: cuda on {cuda.DeviceName} (asked for; driver {library})");
                return cuda;
            }
            default:
            {
                int? devices = CudaDriver.TryCountDevices(library, out string reason);
                if (devices > 0)
                {
                    var cuda = new CudaAccelerator(library);
                    log.WriteLine($"Backend: cuda on {cuda.DeviceName} (auto: {reason} through {library})");
                    return cuda;
                }
                log.WriteLine($"Backend: cpu (auto: {reason})");
                return new CpuAccelerator();
            }
        }
    }
}
