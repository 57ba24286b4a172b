using System.Buffers.Binary;

namespace GpuNet.Data;

/// <summary>
/// Reads IDX files (the MNIST file format), gzipped or not. The layout is a big-endian magic
/// number 0x00 0x00 TYPE DIMS, then DIMS big-endian 32-bit sizes, then the elements in
/// row-major order. Only TYPE 0x08 (unsigned byte) is supported: it is what every MNIST-like
/// image and label file uses. Every problem is a <see cref="GpuNetException"/> that names the
/// file, the byte offset or header field, and what was expected.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an image file: unsigned bytes, 3 dimensions (count, rows, columns).</summary>
    public const int ImageMagic = 0x0803;

    /// <summary>Magic number of a label file: unsigned bytes, 1 dimension (count).</summary>
    public const int LabelMagic = 0x0801;

    public const byte UnsignedByteType = 0x08;

    /// <summary>Reads any IDX file of unsigned bytes.</summary>
    public static IdxFile Read(string path) => Parse(GzipAwareFile.ReadAllBytes(path), path);

    /// <summary>Reads an image file: magic 2051, dimensions count x rows x columns.</summary>
    public static IdxFile ReadImages(string path) => ParseImages(GzipAwareFile.ReadAllBytes(path), path);

    /// <summary>Reads a label file: magic 2049, one dimension (the count).</summary>
    public static IdxFile ReadLabels(string path) => ParseLabels(GzipAwareFile.ReadAllBytes(path), path);

    public static IdxFile ParseImages(byte[] content, string path) => Parse(content, path, expectedMagic: ImageMagic);

    public static IdxFile ParseLabels(byte[] content, string path) => Parse(content, path, expectedMagic: LabelMagic);

    /// <summary>
    /// Parses uncompressed IDX content. <paramref name="path"/> is only used in messages.
    /// With <paramref name="expectedMagic"/> the magic number must be exactly that one.
    /// </summary>
    public static IdxFile Parse(byte[] content, string path, int? expectedMagic = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(path);

        if (content.Length < 4)
        {
            throw new GpuNetException(
                $"The IDX file '{path}' is {content.Length} bytes long (uncompressed); expected at least the 4-byte " +
                    $"magic number at byte offset 0, {ExpectedMagicText(expectedMagic)}.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(content);
        if (content[0] != 0 || content[1] != 0)
        {
            throw new GpuNetException(
                $"The file '{path}' is not an IDX file: its magic number at byte offset 0 is {HexBytes(content.AsSpan(0,
                    4))}; expected {ExpectedMagicText(expectedMagic)}. The file may be of another format or damaged.");
        }

        if (content[2] != UnsignedByteType)
        {
            throw new GpuNetException(
                $"The IDX file '{path}' has element type 0x{content[2]:x2} ({TypeName(content[2])}) at byte offset 2 " +
                    $"of its magic number {HexBytes(content.AsSpan(0,
                        4))}; expected 0x08 (unsigned byte), the only type MNIST-like image and label files use.");
        }

        if (expectedMagic is int expected && magic != expected)
        {
            throw new GpuNetException(
                $"The IDX file '{path}' has magic number {magic} (bytes {HexBytes(content.AsSpan(0,
                    4))}: {Describe(magic)}) at byte offset 0; expected {ExpectedMagicText(expected)}.");
        }

        int dimensionCount = content[3];
        if (dimensionCount == 0)
        {
            throw new GpuNetException(
                $"The IDX file '{path}' declares 0 dimensions in byte 3 of its magic number; expected at least 1 (the "
                    +
                    $"item count).");
        }

        int headerLength = HeaderLength(dimensionCount);
        if (content.Length < headerLength)
        {
            throw new GpuNetException(
                $"The IDX file '{path}' is cut short inside its header: it declares {dimensionCount} dimensions, so " +
                    $"the header takes {headerLength} bytes, but the uncompressed content is only " +
                        $"{content.Length} bytes long; expected at least {headerLength} bytes.");
        }

        var dimensions = new int[dimensionCount];
        long elements = 1;
        for (int i = 0; i < dimensionCount; i++)
        {
            int offset = 4 + 4 * i;
            int size = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(offset));
            if (size < 0)
            {
                throw new GpuNetException(
                    $"The IDX file '{path}' has size {(uint)size} for {DimensionName(i,
                        dimensionCount)} at byte offset {offset}; expected a size below 2^31.");
            }

            dimensions[i] = size;
            elements *= size;
            if (elements > Array.MaxLength)
            {
                throw new GpuNetException(
                    $"The IDX file '{path}' declares sizes {string.Join(" x ",
                        dimensions[..(i + 1)])} in the header fields from byte offset 4 to {offset
                            + 3}, which already come to more than {Array.MaxLength:N0} bytes of data; " +
                    "expected a file that fits in one array.");
            }
        }

        long expectedLength = headerLength + elements;
        if (content.Length != expectedLength)
        {
            string shape = string.Join(" x ", dimensions);
            string problem = content.Length < expectedLength
                ? $"is truncated: its header declares {shape} = {elements:N0} bytes of data after the " +
                    $"{headerLength}-byte header, so {expectedLength:N0} bytes were expected in all, but its " +
                        $"uncompressed content is only {content.Length:N0} bytes (the data breaks off at byte offset " +
                            $"{content.Length:N0}, {expectedLength - content.Length:N0} bytes short). The file was " +
                                $"probably cut off, for example by an interrupted download"
                : $"is longer than its header says: the header declares {shape} = {elements:N0} bytes of data after " +
                    $"the {headerLength}-byte header, so {expectedLength:N0} bytes were expected in all, but its " +
                        $"uncompressed content is " +
                            $"{content.Length:N0} bytes ({content.Length - expectedLength:N0} unexpected bytes from " +
                                $"byte offset {expectedLength:N0} on)";
            throw new GpuNetException($"The IDX file '{path}' {problem}.");
        }

        return new IdxFile(path, dimensions, content.AsMemory(headerLength));
    }

    /// <summary>The header length of an IDX file with this many dimensions.</summary>
    public static int HeaderLength(int dimensionCount) => 4 + 4 * dimensionCount;

    private static string ExpectedMagicText(int? expectedMagic) => expectedMagic switch
    {
        ImageMagic => "magic number 2051 (bytes 00 00 08 03: unsigned bytes in 3 dimensions, an image file)",
        LabelMagic => "magic number 2049 (bytes 00 00 08 01: unsigned bytes in 1 dimension, a label file)",
        int other => $"magic number {other} (bytes {HexBytes(BigEndianBytes(other))})",
        null => "an IDX magic number: bytes 00 00, the element type 08 (unsigned byte), then the number of dimensions",
    };

    private static string Describe(int magic)
    {
        int dimensions = magic & 0xff;
        string kind = magic switch
        {
            ImageMagic => ", an image file",
            LabelMagic => ", a label file",
            _ => "",
        };
        return $"unsigned bytes in {dimensions} dimension{(dimensions == 1 ? "" : "s")}{kind}";
    }

    private static string DimensionName(int index, int count) => (index, count) switch
    {
        (0, _) => "dimension 0 (the item count)",
        (1, 3) => "dimension 1 (the image height)",
        (2, 3) => "dimension 2 (the image width)",
        _ => $"dimension {index}",
    };

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "short",
        0x0C => "int",
        0x0D => "float",
        0x0E => "double",
        _ => "not an IDX element type",
    };

    private static byte[] BigEndianBytes(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static string HexBytes(ReadOnlySpan<byte> bytes)
    {
        var parts = new string[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            parts[i] = bytes[i].ToString("x2");
        }

        return string.Join(' ', parts);
    }
}
