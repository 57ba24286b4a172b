using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace GpuNet.Data;

/// <summary>
/// Reads a data file whether or not it is gzipped. The decision is made from the first two
/// bytes (the gzip signature 1f 8b), not from the name: mirrors and users rename files freely,
/// and an IDX file can never start with 1f 8b because its magic number starts with 00 00.
/// </summary>
public static class GzipAwareFile
{
    private const byte GzipSignature0 = 0x1f;
    private const byte GzipSignature1 = 0x8b;

    // Deflate cannot expand data by more than about 1032:1, so a size hint above that is a
    // damaged or hostile trailer, and trusting it would allocate gigabytes for nothing.
    private const long MaxDeflateRatio = 1032;

    /// <summary>True when the file starts with the gzip signature 1f 8b.</summary>
    public static bool IsGzip(string path)
    {
        using var file = OpenFile(path);
        return StartsWithGzipSignature(file);
    }

    /// <summary>
    /// The file's uncompressed content, in an array of exactly its length. A damaged gzip stream
    /// is a <see cref="GpuNetException"/> naming the file. A gzip stream that is merely cut short
    /// decodes without complaint (that is how the decoder behaves), so callers must check the
    /// length they expect; the IDX header gives it.
    /// </summary>
    public static byte[] ReadAllBytes(string path)
    {
        using var file = OpenFile(path);
        if (!StartsWithGzipSignature(file))
        {
            return ReadRaw(file, path);
        }

        int capacity = UncompressedSizeHint(file);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var buffer = new byte[capacity];
        Span<byte> probe = stackalloc byte[1];
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    // The trailer's size is only a hint (it is the size modulo 4 GiB, and only of
                    // the last gzip member), so confirm the end with a one-byte probe before
                    // trusting it, and grow when it was wrong.
                    if (gzip.Read(probe) == 0)
                    {
                        return buffer;
                    }

                    Array.Resize(ref buffer, Grow(buffer.Length, path));
                    buffer[filled++] = probe[0];
                    continue;
                }

                int read = gzip.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }
        }
        catch (InvalidDataException e)
        {
            throw DamagedGzip(path, filled, e);
        }

        return filled == buffer.Length ? buffer : buffer.AsSpan(0, filled).ToArray();
    }

    /// <summary>
    /// The SHA-256 of the file's uncompressed content, as lowercase hex. Streams the content, so
    /// it suits checking a file without keeping it in memory.
    /// </summary>
    public static string ComputeSha256(string path)
    {
        using var file = OpenFile(path);
        if (!StartsWithGzipSignature(file))
        {
            return HashStream(file, path);
        }

        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        try
        {
            return HashStream(gzip, path);
        }
        catch (InvalidDataException e)
        {
            throw DamagedGzip(path, uncompressedBytesRead: null, e);
        }
    }

    /// <summary>The SHA-256 of some bytes, as lowercase hex (the form the catalog uses).</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content) =>
        Convert.ToHexStringLower(SHA256.HashData(content));

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GpuNetException($"Cannot open the data file '{path}': {e.Message}", e);
        }
    }

    private static bool StartsWithGzipSignature(FileStream file)
    {
        Span<byte> start = stackalloc byte[2];
        int read = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && start[0] == GzipSignature0 && start[1] == GzipSignature1;
    }

    private static byte[] ReadRaw(FileStream file, string path)
    {
        if (file.Length > Array.MaxLength)
        {
            throw new GpuNetException(
                $"The data file '{path}' is {file.Length:N0} bytes long; expected at most " +
                    $"{Array.MaxLength:N0} bytes, the most one array can hold.");
        }

        var content = new byte[file.Length];
        file.ReadExactly(content);
        return content;
    }

    // The last four bytes of a gzip file hold the uncompressed size (little-endian, modulo 4 GiB).
    // Allocating that size up front avoids growing and copying a 47 MB buffer several times.
    private static int UncompressedSizeHint(FileStream file)
    {
        const int Fallback = 1 << 20;
        long length = file.Length;
        if (length < 18)
        {
            return Fallback;
        }

        Span<byte> trailer = stackalloc byte[4];
        file.Position = length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        long size = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (size == 0 || size > length * MaxDeflateRatio || size > Array.MaxLength)
        {
            return Fallback;
        }

        return (int)size;
    }

    private static int Grow(int length, string path)
    {
        if (length >= Array.MaxLength)
        {
            throw new GpuNetException(
                $"The gzipped data file '{path}' uncompresses to more than {Array.MaxLength:N0} bytes, the most one " +
                    $"array can hold; expected an IDX file of a size that fits in memory.");
        }

        return (int)Math.Min((long)length * 2, Array.MaxLength);
    }

    private static string HashStream(Stream stream, string path)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (IOException e)
        {
            throw new GpuNetException($"Cannot read the data file '{path}': {e.Message}", e);
        }
    }

    private static GpuNetException DamagedGzip(string path, long? uncompressedBytesRead, Exception inner)
    {
        // The decoder's own message ("unsupported compression method") is misleading for a
        // damaged stream, so it is left out.
        string where = uncompressedBytesRead is long n
            ? $" The decoder stopped after {n:N0} bytes of uncompressed content."
            : "";
        return new GpuNetException(
            $"The data file '{path}' starts with the gzip signature 1f 8b, so it was read as gzip, but its compressed "
                +
                $"data is damaged (a bad deflate block or a checksum that does not match).{where} Expected a complete "
                    +
                    $"gzip stream; replace the file with a good copy (delete it if it is in the dataset cache, so " +
                        $"that it is downloaded again).",
            inner);
    }
}
