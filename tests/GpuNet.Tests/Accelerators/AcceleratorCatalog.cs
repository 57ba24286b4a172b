using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The accelerators the suite runs on. Tests that take an accelerator name are written once and
/// bound to each of them through this list.
/// </summary>
public static class AcceleratorCatalog
{
    public static TheoryData<string> Names => new() { "cpu" };

    public static IAccelerator Create(string name) => name switch
    {
        "cpu" => new CpuAccelerator(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown accelerator"),
    };
}
