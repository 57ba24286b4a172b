namespace GpuNet.Data;

/// <summary>
/// A parsed IDX file of unsigned bytes: its header and a view of its data. The data is a view
/// into the uncompressed content rather than a copy, because an image file is 47 MB and the
/// only thing done with it is one pass that converts it to floats.
/// </summary>
public sealed class IdxFile
{
    public IdxFile(string path, IReadOnlyList<int> dimensions, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count is < 1 or > byte.MaxValue)
        {
            throw new ArgumentException($"An IDX file has 1 to 255 dimensions, not {dimensions.Count}.",
                nameof(dimensions));
        }

        long elements = 1;
        foreach (int size in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(size, nameof(dimensions));
            elements *= size;
        }

        if (elements != data.Length)
        {
            throw new ArgumentException(
                $"The dimensions {string.Join(" x ",
                    dimensions)} hold {elements} elements but the data has {data.Length} bytes.",
                nameof(data));
        }

        Path = path;
        Dimensions = dimensions.ToArray();
        Data = data;
    }

    /// <summary>The file it was read from; every error about its content names it.</summary>
    public string Path { get; }

    /// <summary>The magic number: 0x00 0x00, the element type 0x08, the number of dimensions.</summary>
    public int Magic => (IdxReader.UnsignedByteType << 8) | Dimensions.Count;

    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The number of items: the first dimension.</summary>
    public int Count => Dimensions[0];

    /// <summary>Bytes before the data: the magic number and four bytes per dimension.</summary>
    public int HeaderLength => IdxReader.HeaderLength(Dimensions.Count);

    /// <summary>The elements in row-major order, one byte each.</summary>
    public ReadOnlyMemory<byte> Data { get; }
}
