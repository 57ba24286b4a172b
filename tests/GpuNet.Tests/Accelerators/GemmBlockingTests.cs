using GpuNet.Accelerators.Cpu;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>The GEMM's cache blocking from the caches the CPU reports, and how they are read.</summary>
public sealed class GemmBlockingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-cache-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Sizes_are_read_from_the_data_and_unified_caches_of_levels_one_to_three()
    {
        Index(0, "1", "Data", "48K");
        Index(1, "1", "Instruction", "32K");
        Index(2, "2", "Unified", "2048K");
        Index(3, "3", "Unified", "266240K");
        Assert.Equal(new CpuCacheSizes(48 << 10, 2 << 20, 260 << 20), CpuCacheSizes.Read(_folder));
    }

    [Fact]
    public void A_machine_without_an_l3_reads_as_zero_for_it()
    {
        Index(0, "1", "Data", "32K");
        Index(1, "2", "Unified", "512K");
        Assert.Equal(new CpuCacheSizes(32 << 10, 512 << 10, 0), CpuCacheSizes.Read(_folder));
    }

    [Fact]
    public void A_missing_or_unreadable_folder_gives_the_small_fallback()
    {
        Assert.Equal(CpuCacheSizes.Fallback, CpuCacheSizes.Read(Path.Combine(_folder, "absent")));
        Index(0, "1", "Data", "lots");
        Assert.Equal(CpuCacheSizes.Fallback, CpuCacheSizes.Read(_folder));
    }

    [Theory]
    [InlineData("48K", 48 << 10)]
    [InlineData("2M", 2 << 20)]
    [InlineData("512", 512)]
    public void Sizes_parse_with_their_unit(string text, int bytes) => Assert.Equal(bytes,
        CpuCacheSizes.ParseSize(text + "\n"));

    [Fact]
    public void Blocks_follow_the_caches()
    {
        // An AVX-512 Xeon: a [256, 32] sliver of op(B) is 32 KiB of its 48 KiB L1; op(A) 512 KiB of its 2 MiB L2; the
        // panel an eighth of its L3, held to 4 MiB.
        var xeon = new CpuCacheSizes(48 << 10, 2 << 20, 260 << 20);
        Assert.Equal(new GemmBlocking(256, 1 << 17, 1 << 20), GemmBlocking.For(GemmKernelKind.Vector512, xeon));
        Assert.Equal(512, GemmBlocking.For(GemmKernelKind.Vector256, xeon).Depth);
        // A Zen 3 core: 32 KiB L1, 512 KiB L2 (op(A) a quarter of it), and an eighth of its CCX's 32 MiB L3 for the
        // panel.
        var zen3 = new CpuCacheSizes(32 << 10, 512 << 10, 32 << 20);
        Assert.Equal(new GemmBlocking(336, 1 << 15, 1 << 20), GemmBlocking.For(GemmKernelKind.Vector256, zen3));
        // Without an L3 (or a small one) the panel is half of L2.
        Assert.Equal(1 << 16, GemmBlocking.For(GemmKernelKind.Vector256, zen3 with { L3Bytes = 0 }).PanelFloats);
        Assert.Equal(1 << 16, GemmBlocking.For(GemmKernelKind.Vector256, zen3 with { L3Bytes = 1 << 20 }).PanelFloats);
    }

    private void Index(int index, string level, string type, string size)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder, $"index{index}")).FullName;
        File.WriteAllText(Path.Combine(folder, "level"), level + "\n");
        File.WriteAllText(Path.Combine(folder, "type"), type + "\n");
        File.WriteAllText(Path.Combine(folder, "size"), size + "\n");
    }
}
