using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Ilgpu;

namespace GpuNet.Backends;

/// <summary>
/// Picks the accelerator a run uses from the --backend option or the config's backend key, and
/// says which one it took and why in one line. "auto" takes a CUDA device, else an OpenCL one ILGPU
/// accepts, else the fast CPU path.
/// </summary>
public static class AcceleratorFactory
{
    public const string Auto = "auto", Cpu = "cpu";

    public static IReadOnlyList<string> Backends { get; } = [Auto, Cpu, IlgpuBackend.Cuda, IlgpuBackend.OpenCL,
        IlgpuBackend.Cpu];

    /// <summary>Throws a <see cref="GpuNetException"/> naming the valid choices unless <paramref name="backend"/> is
    /// one.</summary>
    public static string Validate(string backend, string where) =>
        Backends.Contains(backend)
            ? backend
            : throw new GpuNetException($"{where}: unknown backend '{backend}'; valid backends are {string.Join(", ",
                Backends)}");

    /// <param name="backend">One of <see cref="Backends"/>.</param>
    /// <param name="log">Receives the one line that says which accelerator was chosen and why.</param>
    public static IAccelerator Create(string backend, TextWriter log)
    {
        switch (Validate(backend, "--backend"))
        {
            case Cpu:
                log.WriteLine("Backend: cpu (asked for)");
                return new CpuAccelerator();
            case Auto:
                if (IlgpuDeviceSurvey.HasCuda(out string noCuda))
                    return Open(IlgpuBackend.Cuda, $"auto: {noCuda}", log);
                if (IlgpuDeviceSurvey.HasOpenCL(out string noOpenCL))
                    return Open(IlgpuBackend.OpenCL, $"auto: no CUDA device; {noOpenCL}", log);
                log.WriteLine($"Backend: cpu (auto: no CUDA device: {noCuda}; no OpenCL device: {noOpenCL})");
                return new CpuAccelerator();
            default:
                return Open(backend, "asked for", log);
        }
    }

    private static IlgpuAccelerator Open(string backend, string why, TextWriter log)
    {
        var accelerator = new IlgpuAccelerator(backend);
        IlgpuDevice device = accelerator.Device;
        log.WriteLine($"Backend: {backend} on {device.Name} ({why}; {device.Details}; {device.GemmDescription})");
        return accelerator;
    }
}
