using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace GpuNet.Tests.Reports;

/// <summary>
/// A PNG reader for the tests, written from the specification and independent of the encoder
/// under test: its own bitwise CRC-32, every chunk's CRC checked, all five scanline filters
/// (Chromium's screenshots use them), 8-bit greyscale, RGB and RGBA.
/// </summary>
public static class PngDecoder
{
    public sealed record Image(int Width, int Height, int Channels, byte[] Pixels);

    public static Image Decode(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (!png.AsSpan(0, 8).SequenceEqual(signature)) throw new InvalidDataException("not a PNG: wrong signature");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        bool ended = false;
        for (int at = 8; at < png.Length && !ended;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            ReadOnlySpan<byte> data = png.AsSpan(at + 8, length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            if (stored != Crc32(png.AsSpan(at + 4, 4 + length)))
                throw new InvalidDataException($"chunk {type}: CRC mismatch");
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (data[8] != 8) throw new InvalidDataException($"bit depth {data[8]} not supported");
                    channels = data[9] switch { 0 => 1, 2 => 3, 6 => 4, _ =>
                        throw new InvalidDataException($"colour type {data[9]} not supported") };
                    if (data[12] != 0) throw new InvalidDataException("interlaced PNG not supported");
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    ended = true;
                    break;
            }
            at += 12 + length;
        }
        if (!ended) throw new InvalidDataException("no IEND chunk");
        if (width == 0) throw new InvalidDataException("no IHDR chunk");

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        byte[] scanlines = raw.ToArray();
        int stride = width * channels;
        if (scanlines.Length != height * (stride + 1))
            throw new InvalidDataException($"{scanlines.Length} bytes of scanlines for {width}×{height}×{channels}");
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = scanlines[y * (stride + 1)];
            for (int x = 0; x < stride; x++)
            {
                int raw_ = scanlines[y * (stride + 1) + 1 + x];
                int left = x >= channels ? pixels[y * stride + x - channels] : 0;
                int up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int predicted = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"filter type {filter} on row {y}"),
                };
                pixels[y * stride + x] = (byte)(raw_ + predicted);
            }
        }
        return new Image(width, height, channels, pixels);
    }

    /// <summary>CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), bit by bit.</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
