using System.Globalization;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The data caches the CPU reports, which the GEMM's cache blocking is sized from: Linux's
/// /sys/devices/system/cpu/cpu0/cache (the CPUID figures), else a small modern core's 32 KiB L1
/// and 512 KiB L2 and no L3, so that blocks sized from them fit anywhere.
/// </summary>
/// <param name="L3Bytes">The last-level cache cpu0 shares with other cores; 0 where none is reported.</param>
internal readonly record struct CpuCacheSizes(int L1DataBytes, int L2Bytes, int L3Bytes = 0)
{
    private const string Folder = "/sys/devices/system/cpu/cpu0/cache";

    public static CpuCacheSizes Fallback { get; } = new(32 << 10, 512 << 10);

    /// <summary>This machine's, read once.</summary>
    public static CpuCacheSizes Current { get; } = Read(Folder);

    /// <summary>The sizes under a sysfs cache folder (index*/level, type, size); the fallback for any that is missing
    /// or unreadable.</summary>
    internal static CpuCacheSizes Read(string folder)
    {
        int l1 = 0, l2 = 0, l3 = 0;
        try
        {
            if (Directory.Exists(folder))
            {
                foreach (string index in Directory.EnumerateDirectories(folder, "index*"))
                {
                    string level = File.ReadAllText(Path.Combine(index, "level")).Trim();
                    string type = File.ReadAllText(Path.Combine(index, "type")).Trim();
                    int bytes = ParseSize(File.ReadAllText(Path.Combine(index, "size")));
                    if (level == "1" && type == "Data") l1 = bytes;
                    else if (level == "2" && type is "Unified" or "Data") l2 = bytes;
                    else if (level == "3" && type is "Unified" or "Data") l3 = bytes;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException
            or OverflowException)
        {
            return Fallback;
        }
        return new CpuCacheSizes(l1 > 0 ? l1 : Fallback.L1DataBytes, l2 > 0 ? l2 : Fallback.L2Bytes, l3);
    }

    /// <summary>"48K", "2048K", "1M" or a plain byte count.</summary>
    internal static int ParseSize(string text)
    {
        text = text.Trim();
        int scale = text.EndsWith('K') ? 1 << 10 : text.EndsWith('M') ? 1 << 20 : 1;
        if (scale != 1) text = text[..^1];
        return checked(int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) * scale);
    }
}
