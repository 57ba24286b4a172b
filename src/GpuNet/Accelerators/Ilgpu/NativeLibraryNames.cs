using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// The one place where the native libraries ILGPU asks for by bare name are found. ILGPU opens the
/// CUDA driver as "cuda" and OpenCL as "OpenCL", which the loader finds only as an unversioned
/// libcuda.so or libOpenCL.so — present where a toolkit or a -dev package is installed, absent
/// on many machines that have only the driver (libcuda.so.1, libOpenCL.so.1). When the loader's
/// own search fails, the versioned names are tried.
/// </summary>
/// <remarks>
/// A handler on <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/> runs only after the
/// loader's own search failed, and any number may be installed, so it neither shadows an
/// unversioned library that is there nor collides with the resolver ILGPU installs on WSL.
/// </remarks>
public static class NativeLibraryNames
{
    private static readonly Dictionary<string, string[]> Candidates = new(StringComparer.Ordinal)
    {
        ["cuda"] = ["libcuda.so.1", "libcuda.so"],
        ["OpenCL"] = ["libOpenCL.so.1", "libOpenCL.so"],
    };

    private static int _installed;

    /// <summary>Installs the fallback once per process; call before ILGPU first touches a driver.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0) AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
    }

    /// <summary>The file a bare library name resolves to here, or null where none loads.</summary>
    public static string? Find(string name)
    {
        foreach (string candidate in Candidates.TryGetValue(name, out string[]? files) ? files : [name])
        {
            if (!NativeLibrary.TryLoad(candidate, out nint handle)) continue;
            NativeLibrary.Free(handle);
            return candidate;
        }
        return null;
    }

    private static nint Resolve(Assembly assembly, string name) =>
        Candidates.TryGetValue(name, out string[]? files) ? Load(files) : 0;

    /// <summary>The first of <paramref name="files"/> that loads, or 0.</summary>
    internal static nint Load(IEnumerable<string> files)
    {
        foreach (string file in files)
            if (NativeLibrary.TryLoad(file, out nint handle)) return handle;
        return 0;
    }
}
