using System.Runtime.InteropServices;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Backends;

/// <summary>
/// ILGPU asks the loader for "cuda" and "OpenCL", which only an unversioned libcuda.so or
/// libOpenCL.so satisfies; most machines with only a driver have libcuda.so.1. The fallback
/// must load the versioned file, and say plainly when there is none.
/// </summary>
public sealed class NativeLibraryNamesTests
{
    [Fact]
    public void A_library_installed_only_under_its_versioned_name_is_loaded()
    {
        // zlib is on every machine as libz.so.1; the bare name "libz.so" comes only with its -dev package.
        nint handle = NativeLibraryNames.Load(["libgpunet-missing.so", "libz.so.1"]);
        Assert.NotEqual(0, handle);
        Assert.NotEqual(0, NativeLibrary.GetExport(handle, "crc32"));
        NativeLibrary.Free(handle);
        Assert.Equal(0, NativeLibraryNames.Load(["libgpunet-missing.so", "libgpunet-missing.so.1"]));
    }

    [SkippableFact]
    public void Without_a_driver_the_reason_names_both_file_names()
    {
        Skip.If(NativeLibraryNames.Find("cuda") is not null,
            $"a CUDA driver library is installed here ({NativeLibraryNames.Find("cuda")})");
        Assert.Equal("the NVIDIA driver is not installed (neither libcuda.so nor libcuda.so.1 loads)",
            IlgpuDeviceSurvey.WhyNoCuda());
    }

    [SkippableFact]
    public void With_a_driver_the_cuda_backend_finds_its_devices()
    {
        Skip.IfNot(AcceleratorCatalog.HasCuda, $"No CUDA device: {AcceleratorCatalog.CudaStatus}");
        Assert.NotNull(NativeLibraryNames.Find("cuda"));
        Assert.Contains(IlgpuDeviceSurvey.List(), d => d.Backend == IlgpuBackend.Cuda && d.Usable);
    }
}
