using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace GpuNet.Reports;

/// <summary>
/// Writes 8-bit greyscale or RGB images as PNG (ISO/IEC 15948): a signature, then IHDR, one IDAT
/// holding the zlib-compressed scanlines, and IEND, each chunk closed by its CRC-32. No imaging
/// package is needed: the framework's ZLibStream does the deflating.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Encode(RasterImage image)
    {
        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], image.Height);
        header[8] = 8;                                   // bits per sample
        header[9] = image.Channels == 1 ? (byte)0 : (byte)2; // colour type: greyscale or truecolour
        // Bytes 10-12: deflate compression, adaptive filtering, no interlace — all zero.
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "IDAT", CompressScanlines(image));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    // Every scanline is stored with filter type 0 (None): the images here are small, and the
    // simplest filter keeps the encoder obviously right.
    private static byte[] CompressScanlines(RasterImage image)
    {
        int stride = image.Width * image.Channels;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < image.Height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(image.Pixels, y * stride, stride);
            }
        }
        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        // The CRC covers the chunk type and data, not the length.
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }
}
