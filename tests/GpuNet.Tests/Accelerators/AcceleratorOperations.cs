using GpuNet.Accelerators;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The operations of <see cref="IAccelerator"/> that compute, by name: every method that returns nothing, but the
/// copies and waiting (what returns a value allocates or answers a question).
/// </summary>
internal static class AcceleratorOperations
{
    public static IReadOnlyList<string> Computing { get; } = typeof(IAccelerator).GetMethods()
        .Where(method => !method.IsSpecialName && method.ReturnType == typeof(void))
        .Select(method => method.Name)
        .Except([nameof(IAccelerator.Upload), nameof(IAccelerator.Download), nameof(IAccelerator.Synchronize)])
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();
}
