using System.Globalization;

namespace GpuNet.Tensors;

/// <summary>Byte counts as people read them in an error: "9.41 GB (9,408,000,000 bytes)".</summary>
public static class ByteSize
{
    public static string Format(long bytes)
    {
        string exact = $"{bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes";
        return bytes < 1000 ? exact : $"{Short(bytes)} ({exact})";
    }

    /// <summary>"9.41 GB": three figures in decimal units, for the parts of a total.</summary>
    public static string Short(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
        double scaled = bytes;
        int unit = 0;
        while (scaled >= 1000 && unit < units.Length - 1)
        {
            scaled /= 1000;
            unit++;
        }
        return $"{scaled.ToString(unit == 0 ? "0" : "0.##", CultureInfo.InvariantCulture)} {units[unit]}";
    }

    /// <summary>The bytes of <paramref name="floats"/> float32 values, saturating rather than wrapping.</summary>
    public static string OfFloats(long floats) => Format(Floats(floats));

    public static long Floats(long floats) =>
        floats > long.MaxValue / sizeof(float) ? long.MaxValue : floats * sizeof(float);
}
