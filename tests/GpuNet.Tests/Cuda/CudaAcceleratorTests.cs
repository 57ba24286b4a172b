using System.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cuda;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Cuda;

/// <summary>The CUDA accelerator's own behaviour: PTX, driver errors, memory, shape checks.</summary>
public sealed class CudaAcceleratorTests
{
    [RealCudaFact]
    public void Real_device_is_present()
    {
        using var accelerator = (CudaAccelerator)AcceleratorCatalog.Create("cuda");
        Assert.False(string.IsNullOrEmpty(accelerator.DeviceName));
    }

    [ClangFact]
    public void Committed_ptx_is_what_clang_builds_from_the_sources()
    {
        string output = Path.Combine(Path.GetTempPath(), "gpunet-ptx-" + Guid.NewGuid().ToString("N"));
        try
        {
            var start = new ProcessStartInfo("sh", [Path.Combine(Repository.Root, "kernels", "build-ptx.sh"), output]) { RedirectStandardError = true };
            using (var process = Process.Start(start)!)
            {
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"kernels/build-ptx.sh failed: {errors}");
            }
            string committed = Path.Combine(Repository.Root, "kernels", "ptx");
            var built = Directory.GetFiles(output, "*.ptx").Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(Directory.GetFiles(committed, "*.ptx").Select(Path.GetFileName).Order().ToArray(), built);
            Assert.Equal(CudaKernels.Families.Select(f => f + ".ptx").Order().ToArray(), built);
            foreach (string file in built!)
            {
                byte[] fresh = File.ReadAllBytes(Path.Combine(output, file!));
                Assert.True(fresh.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(committed, file!))),
                    $"kernels/ptx/{file} is stale: run kernels/build-ptx.sh and commit the result.");
                Assert.True(fresh.AsSpan().SequenceEqual(CudaKernels.Ptx(Path.GetFileNameWithoutExtension(file!))),
                    $"The PTX embedded for {file} differs from kernels/ptx: rebuild GpuNet.Core.");
            }
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Every_kernel_in_the_ptx_is_loaded_and_every_loaded_kernel_is_in_the_ptx()
    {
        var inPtx = CudaKernels.Families
            .SelectMany(family => System.Text.RegularExpressions.Regex.Matches(System.Text.Encoding.UTF8.GetString(CudaKernels.Ptx(family)), @"\.entry (\w+)\(")
                .Select(match => match.Groups[1].Value))
            .Order().ToArray();
        var kernels = new CudaKernels(CudaDriver.Load(AcceleratorCatalog.EmulatorLibrary));
        var loaded = typeof(CudaKernels).GetProperties()
            .Where(p => p.PropertyType == typeof(CudaKernel))
            .Select(p => ((CudaKernel)p.GetValue(kernels)!).Name)
            .Order().ToArray();
        Assert.Equal(inPtx, loaded);
    }

    [Fact]
    public void Out_of_memory_names_the_bytes_asked_for_and_the_free_memory()
    {
        using var accelerator = AcceleratorCatalog.Create("cuda-emulated");
        // The emulator reports 4 GiB; int.MaxValue floats are 8 GiB.
        var error = Assert.Throws<CudaException>(() => accelerator.Allocate(int.MaxValue));
        Assert.Equal("CUDA_ERROR_OUT_OF_MEMORY", error.ErrorName);
        Assert.Contains("8,589,934,588 bytes", error.Message);
        Assert.Contains("free", error.Message);
    }

    [Fact]
    public void A_missing_driver_library_is_reported_by_name()
    {
        var error = Assert.Throws<GpuNetException>(() => new CudaAccelerator("/nonexistent/libcuda.so.1"));
        Assert.Contains("/nonexistent/libcuda.so.1", error.Message);
    }

    [Fact]
    public void Shape_contracts_are_checked_before_launch()
    {
        using var accelerator = AcceleratorCatalog.Create("cuda-emulated");
        using var small = accelerator.Allocate(3);
        using var large = accelerator.Allocate(10);
        var error = Assert.Throws<ArgumentException>(() => accelerator.Add(small, large, 10, large));
        Assert.Contains("a holds 3 floats; the kernel needs 10", error.Message);
        using var cpu = new CpuAccelerator();
        using var foreign = cpu.Allocate(10);
        Assert.Throws<ArgumentException>(() => accelerator.Add(foreign, large, 10, large));
    }

    [Fact]
    public void Freed_buffers_are_reused_without_asking_the_driver()
    {
        using var accelerator = (CudaAccelerator)AcceleratorCatalog.Create("cuda-emulated");
        accelerator.Allocate(100).Dispose();
        int allocations = accelerator.DriverAllocations;
        using DeviceBuffer again = accelerator.Allocate(100);
        Assert.Equal(allocations, accelerator.DriverAllocations);
        // And it comes back zero-filled, as Allocate promises.
        accelerator.Fill(5f, 100, again);
        again.Dispose();
        using DeviceBuffer third = accelerator.Allocate(100);
        float[] values = new float[100];
        accelerator.Download(third, values);
        Assert.All(values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Fill_upload_and_download_round_trip()
    {
        using var accelerator = AcceleratorCatalog.Create("cuda-emulated");
        using var buffer = accelerator.Allocate(7);
        accelerator.Upload([1, 2, 3, 4, 5, 6, 7], buffer);
        accelerator.Fill(-2.5f, 3, buffer);
        float[] values = new float[7];
        accelerator.Download(buffer, values);
        Assert.Equal([-2.5f, -2.5f, -2.5f, 4, 5, 6, 7], values);
        Assert.Equal("cuda", accelerator.Name);
        Assert.Equal("GpuNet host emulator", ((CudaAccelerator)accelerator).DeviceName);
    }
}
