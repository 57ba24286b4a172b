using GpuNet.Accelerators;

namespace GpuNet.Tests.Accelerators;

/// <summary>The operations of <see cref="IAccelerator"/> that compute, by name: every method but allocation, copies and waiting.</summary>
internal static class AcceleratorOperations
{
    public static IReadOnlyList<string> Computing { get; } = typeof(IAccelerator).GetMethods()
        .Where(method => !method.IsSpecialName)
        .Select(method => method.Name)
        .Except([nameof(IAccelerator.Allocate), nameof(IAccelerator.Upload), nameof(IAccelerator.Download), nameof(IAccelerator.Synchronize)])
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();
}
