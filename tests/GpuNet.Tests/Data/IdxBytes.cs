using System.Buffers.Binary;
using System.IO.Compression;

namespace GpuNet.Tests.Data;

/// <summary>Builds small IDX files in memory, so that tests can state exactly what a file holds.</summary>
public static class IdxBytes
{
    /// <summary>An IDX file of unsigned bytes with the given dimensions and data.</summary>
    public static byte[] Build(int[] dimensions, byte[] data, byte elementType = 0x08)
    {
        var content = new byte[4 + 4 * dimensions.Length + data.Length];
        content[2] = elementType;
        content[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(4 + 4 * i), dimensions[i]);
        }

        data.CopyTo(content, 4 + 4 * dimensions.Length);
        return content;
    }

    /// <summary>An image file whose pixel (sample, i) is <c>pixel(sample, i)</c>.</summary>
    public static byte[] Images(int count, int height, int width, Func<int, int, byte> pixel)
    {
        var data = new byte[count * height * width];
        for (int sample = 0; sample < count; sample++)
        {
            for (int i = 0; i < height * width; i++)
            {
                data[sample * height * width + i] = pixel(sample, i);
            }
        }

        return Build([count, height, width], data);
    }

    public static byte[] Labels(params byte[] labels) => Build([labels.Length], labels);

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
