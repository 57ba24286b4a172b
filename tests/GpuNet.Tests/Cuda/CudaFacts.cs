using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Cuda;

/// <summary>A fact that needs a real CUDA device; without one it reports itself skipped, with the reason.</summary>
public sealed class RealCudaFactAttribute : FactAttribute
{
    public RealCudaFactAttribute()
    {
        if (!AcceleratorCatalog.HasRealDevice) Skip = $"No CUDA device: {AcceleratorCatalog.RealDeviceStatus}";
    }
}

/// <summary>A fact that needs clang-14 on the PATH; without it it reports itself skipped.</summary>
public sealed class ClangFactAttribute : FactAttribute
{
    public ClangFactAttribute()
    {
        if (Clang.Path is null) Skip = "clang-14 is not on the PATH, so the committed PTX cannot be rebuilt and compared.";
    }
}

internal static class Clang
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => System.IO.Path.Combine(folder, "clang-14"))
        .FirstOrDefault(File.Exists);
}

/// <summary>The repository checkout the tests were built from.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "GpuNet.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No GpuNet.sln above {AppContext.BaseDirectory}.");
    }
}
