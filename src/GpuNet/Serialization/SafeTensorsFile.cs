using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuNet.Tensors;

namespace GpuNet.Serialization;

/// <summary>
/// The safetensors format (8-byte little-endian header length, a JSON header of names, dtypes,
/// shapes and byte ranges, then the raw data), which PyTorch's safetensors and a few lines of
/// numpy read without executing any code. Only float32 tensors are written or read.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Refuse headers beyond this: a corrupted length must not make us allocate gigabytes.</summary>
    private const long MaximumHeaderBytes = 100 << 20;

    private static readonly UTF8Encoding StrictUtf8 =
        new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes atomically: a temporary file is written and flushed, then renamed over <paramref
    /// name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(m =>
                KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
        long offset = 0;
        foreach (NamedTensor t in tensors)
        {
            if (t.Values.Length != ShapeOf.ElementCount(t.Shape))
                throw new ArgumentException($"tensor {t.Name}: {t.Values.Length} values for shape " +
                    $"{ShapeOf.Format(t.Shape)}");
            long end = offset + 4L * t.Values.Length;
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(end)),
            };
            offset = end;
        }
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The format recommends padding the header with spaces so the data starts 8-byte aligned.
        int padded = (headerBytes.Length + 7) / 8 * 8;

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(headerBytes);
            for (int i = headerBytes.Length; i < padded; i++) stream.WriteByte((byte)' ');
            // The format is little-endian, as is every platform .NET runs on.
            foreach (NamedTensor t in tensors) stream.Write(MemoryMarshal.AsBytes(t.Values.AsSpan()));
        });
    }

    /// <summary>Reads every tensor, checking the layout completely so a truncated or damaged file is refused by
    /// name.</summary>
    public static (IReadOnlyDictionary<string, NamedTensor> Tensors,
        IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GpuNetException($"{path}: cannot read the weights file: {e.Message}");
        }
        return Parse(bytes, path);
    }

    /// <summary>Reads every tensor of a file's content; <paramref name="path"/> names it in messages.</summary>
    public static (IReadOnlyDictionary<string, NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
        Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 8)
            throw Damaged(path, $"the file has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaximumHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw Damaged(path,
                $"the header length field says {headerLength} bytes but the file has {bytes.Length - 8} after it");
        int dataStart = 8 + (int)headerLength;
        JsonObject header;
        try
        {
            // Decoded strictly first: the JSON reader leaves the bytes of names unchecked until they are read (found by
            // fuzzing).
            string headerText = StrictUtf8.GetString(bytes, 8, (int)headerLength);
            header = JsonNode.Parse(headerText, documentOptions: new JsonDocumentOptions { MaxDepth = 16 })
                as JsonObject ?? throw Damaged(path, "the header is not a JSON object");
            _ = header.Count; // a duplicated name is found when the object is first used
        }
        catch (DecoderFallbackException)
        {
            throw Damaged(path, "the header is not valid UTF-8");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw Damaged(path, $"the header is not valid JSON ({e.Message})");
        }

        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, NamedTensor>();
        var ranges = new List<(long Begin, long End, string Name)>();
        long dataLength = bytes.Length - dataStart;
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (key, value) in node as JsonObject ?? throw Damaged(path, "__metadata__ is not an object"))
                    metadata[key] = value?.GetValue<string>() ?? "";
                continue;
            }
            var (shape, begin, end) = ParseEntry(path, name, node);
            if (begin < 0 || end > dataLength || end < begin)
                throw Damaged(path,
                    $"tensor '{name}' claims bytes {begin}..{end} but the data section has " +
                        $"{dataLength} bytes (truncated?)");
            // In 64 bits, saturating: a damaged shape must be reported as damage, not overflow an int.
            long needed = ByteSize.Floats(ShapeOf.LongElementCount(shape));
            if (end - begin != needed)
                throw Damaged(path, $"tensor '{name}' of shape {ShapeOf.Format(shape)} needs {needed:N0} bytes " +
                                    $"but spans {end - begin:N0}");
            float[] values = new float[(end - begin) / 4];
            MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart + (int)begin, (int)(end - begin))).CopyTo(values);
            tensors[name] = new NamedTensor(name, shape, values);
            ranges.Add((begin, end, name));
        }
        // The format requires the tensors to tile the data section exactly: a gap or an overlap is damage.
        long covered = 0;
        foreach (var (begin, end, name) in ranges.OrderBy(r => r.Begin))
        {
            if (begin != covered) throw Damaged(path, $"tensor '{name}' starts at byte {begin}, expected {covered}");
            covered = end;
        }
        if (covered != dataLength)
            throw Damaged(path, $"the data section has {dataLength} bytes but the tensors cover {covered}");
        return (tensors, metadata);
    }

    private static (int[] Shape, long Begin, long End) ParseEntry(string path, string name, JsonNode? node)
    {
        try
        {
            var entry = node!.AsObject();
            string dtype = entry["dtype"]!.GetValue<string>();
            if (dtype != "F32") throw Damaged(path, $"tensor '{name}' has dtype {dtype}; only F32 is supported");
            int[] shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            if (shape.Any(d => d < 0)) throw Damaged(path, $"tensor '{name}' has a negative dimension");
            var offsets = entry["data_offsets"]!.AsArray();
            if (offsets.Count != 2) throw Damaged(path, $"tensor '{name}' needs two data_offsets");
            return (shape, offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException
            or OverflowException)
        {
            throw Damaged(path, $"tensor '{name}' has a malformed entry (expected dtype, shape and data_offsets)");
        }
    }

    private static GpuNetException Damaged(string path, string reason) =>
        new($"{path}: not a valid safetensors file: {reason}");
}
