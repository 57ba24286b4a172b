using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Tests.Accelerators;

namespace GpuNet.Tests.Ilgpu;

/// <summary>The ILGPU accelerator's own behaviour: devices opened once, memory, shape checks, errors.</summary>
public sealed class IlgpuAcceleratorTests
{
    [SkippableFact]
    public void A_cuda_device_runs_the_accelerator()
    {
        using var accelerator = (IlgpuAccelerator)AcceleratorCatalog.Create("cuda");
        Assert.False(string.IsNullOrEmpty(accelerator.Device.Name));
        Assert.StartsWith("compute capability ", accelerator.Device.Details);
        Assert.StartsWith("GEMM by ", accelerator.Device.GemmDescription);
    }

    [SkippableFact]
    public void Out_of_memory_on_a_gpu_names_the_bytes_asked_for()
    {
        using var accelerator = (IlgpuAccelerator)AcceleratorCatalog.Create("cuda");
        // More than any GPU holds: int.MaxValue floats are 8 GiB, 64 of them 512 GiB.
        var held = new List<DeviceBuffer>();
        try
        {
            var error = Assert.Throws<GpuNetException>(() =>
            {
                for (int i = 0; i < 64; i++) held.Add(accelerator.Allocate(int.MaxValue));
            });
            Assert.Contains("8,589,934,588 bytes were asked for", error.Message);
            Assert.Contains("smaller batch size", error.Message);
        }
        finally
        {
            foreach (var buffer in held) buffer.Dispose();
        }
    }

    [Fact]
    public void Accelerators_on_one_backend_share_one_device_and_its_kernels()
    {
        using var first = new IlgpuAccelerator(IlgpuBackend.Cpu);
        using var second = new IlgpuAccelerator(IlgpuBackend.Cpu);
        Assert.Same(first.Device, second.Device);
        Assert.Same(IlgpuDevice.Open(IlgpuBackend.Cpu), first.Device);
        // Each owns its memory: a buffer of one is refused by the other.
        using var buffer = first.Allocate(4);
        Assert.Throws<ArgumentException>(() => second.Fill(1f, 4, buffer));
    }

    [Fact]
    public void Downloads_land_while_the_garbage_collector_moves_arrays()
    {
        // ILGPU copies to a raw pointer taken from the destination; unpinned, a compacting collection started by
        // another thread moves the array first, and the copy lands in whatever took its place. That left the
        // destination zero, corrupted the heap, and within a second or two crashed the process.
        using var accelerator = AcceleratorCatalog.Create(IlgpuBackend.Cpu);
        const int length = 5000;
        float[] values = Enumerable.Range(1, length).Select(i => (float)i).ToArray();
        using var buffer = accelerator.Allocate(length);
        accelerator.Upload(values, buffer);
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            var garbage = new List<float[]>();
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < 50; i++) garbage.Add(new float[300 + i]);
                if (garbage.Count > 2000) garbage.RemoveRange(0, 1000);
                GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int round = 0; clock.Elapsed < TimeSpan.FromSeconds(2); round++)
            {
                // Arrays of varied sizes between the downloads, so a moved array's old place gets a new tenant.
                float[] spacer = new float[round % 97 + 1], into = new float[length];
                accelerator.Download(buffer, into);
                Assert.True(into.AsSpan().SequenceEqual(values), $"download {round} came back wrong");
                GC.KeepAlive(spacer);
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }

    [Fact]
    public void Shape_contracts_are_checked_before_launch()
    {
        using var accelerator = AcceleratorCatalog.Create("ilgpu-cpu");
        using var small = accelerator.Allocate(3);
        using var large = accelerator.Allocate(10);
        var error = Assert.Throws<ArgumentException>(() => accelerator.Add(small, large, 10, large));
        Assert.Contains("a holds 3 floats; the kernel needs 10", error.Message);
        using var cpu = new CpuAccelerator();
        using var foreign = cpu.Allocate(10);
        Assert.Throws<ArgumentException>(() => accelerator.Add(foreign, large, 10, large));
    }

    [Fact]
    public void A_disposed_accelerator_refuses_its_buffers()
    {
        // Its memory went back to the host's allocator, which may have handed it to another accelerator since.
        var accelerator = AcceleratorCatalog.Create(IlgpuBackend.Cpu);
        DeviceBuffer buffer = accelerator.Allocate(10);
        accelerator.Dispose();
        Assert.Throws<ObjectDisposedException>(() => accelerator.Fill(1f, 10, buffer));
        Assert.Throws<ObjectDisposedException>(() => accelerator.Upload(new float[10], buffer));
        Assert.Throws<ObjectDisposedException>(() => accelerator.Download(buffer, new float[10]));
        Assert.Throws<ObjectDisposedException>(() => accelerator.Allocate(10));
        buffer.Dispose();
        accelerator.Dispose();
    }

    [Fact]
    public void Freed_buffers_are_reused_without_asking_the_device()
    {
        using var accelerator = (IlgpuAccelerator)AcceleratorCatalog.Create("ilgpu-cpu");
        accelerator.Allocate(100).Dispose();
        int allocations = accelerator.DeviceAllocations;
        using DeviceBuffer again = accelerator.Allocate(100);
        Assert.Equal(allocations, accelerator.DeviceAllocations);
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
        using var accelerator = AcceleratorCatalog.Create("ilgpu-cpu");
        using var buffer = accelerator.Allocate(7);
        accelerator.Upload([1, 2, 3, 4, 5, 6, 7], buffer);
        accelerator.Fill(-2.5f, 3, buffer);
        float[] values = new float[7];
        accelerator.Download(buffer, values);
        Assert.Equal([-2.5f, -2.5f, -2.5f, 4, 5, 6, 7], values);
        Assert.Equal("ilgpu-cpu", accelerator.Name);
    }

    [Fact]
    public void Empty_buffers_are_valid()
    {
        using var accelerator = AcceleratorCatalog.Create("ilgpu-cpu");
        using var empty = accelerator.Allocate(0);
        accelerator.Upload([], empty);
        accelerator.Download(empty, []);
        accelerator.Add(empty, empty, 0, empty);
        Assert.Equal(0, empty.Length);
    }
}
