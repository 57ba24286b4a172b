using System.Reflection;
using GpuNet.Kernels;

namespace GpuNet.Tests.Ilgpu;

/// <summary>Every kernel of kernels/ (each static method marked <see cref="KernelForAttribute"/>), generic ones closed
/// for a GPU.</summary>
internal static class DeviceKernels
{
    public static IReadOnlyList<MethodInfo> All { get; } = typeof(KernelForAttribute).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(method => method.GetCustomAttribute<KernelForAttribute>() is not null)
        .Select(method => method.IsGenericMethodDefinition ? method.MakeGenericMethod(typeof(GpuKernelShape)) : method)
        .OrderBy(Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>"Family.Method", e.g. "GemmKernels.Gemm".</summary>
    public static string Name(MethodInfo method) => $"{method.DeclaringType!.Name}.{method.Name}";

    public static MethodInfo Named(string name) => All.Single(method => Name(method) == name);
}
