using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using static GpuNet.Config.Import.KerasConfigReader;

namespace GpuNet.Config.Import;

/// <summary>
/// A Keras model description as Keras writes it: the JSON of <c>model.to_json()</c> (Keras 2's or
/// Keras 3's layout), or a Keras 3 <c>.keras</c> file, a zip whose <c>config.json</c> holds the same
/// model config and, for a compiled model, its <c>compile_config</c>. Only the description is read:
/// the weights in a .keras file are left alone.
/// </summary>
public sealed record KerasModelFile(string Path, JsonObject Model, JsonObject? CompileConfig, string? KerasVersion)
{
    public static KerasModelFile Read(string path)
    {
        if (Directory.Exists(path))
            throw new GpuNetException($"{path}: is a folder; expected a Keras model file (.json or .keras)");
        if (!File.Exists(path)) throw new GpuNetException($"{path}: Keras model file not found");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GpuNetException($"{path}: cannot read the Keras model file: {e.Message}");
        }
        return IsZip(bytes) ? ReadArchive(path, bytes) : FromJson(path, Parse(path, bytes), keras3Metadata: null);
    }

    private static KerasModelFile ReadArchive(string path, byte[] bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            ZipArchiveEntry config = zip.GetEntry("config.json") ?? throw new GpuNetException(
                $"{path}: a zip without config.json; a .keras file written by model.save() holds config.json, " +
                "metadata.json and the weights");
            JsonObject? metadata = zip.GetEntry("metadata.json") is { } entry
                ? Parse($"{path}/metadata.json", ReadEntry(entry))
                : null;
            return FromJson(path, Parse($"{path}/config.json", ReadEntry(config)), metadata);
        }
        catch (InvalidDataException e)
        {
            throw new GpuNetException($"{path}: not a readable zip ({e.Message}); " +
                                      "a .keras file is the zip that model.save('model.keras') writes");
        }
    }

    private static KerasModelFile FromJson(string path, JsonObject root, JsonObject? keras3Metadata)
    {
        string? className = Text(root["class_name"]);
        if (className is "Functional" or "Model")
        {
            throw new GpuNetException(
                $"{path}: is a {className} model (layers wired by keras.Model(inputs, outputs)); " +
                "GpuNet imports Sequential models");
        }
        if (className != "Sequential")
        {
            throw new GpuNetException(
                $"{path}: expected a Keras model description with \"class_name\": \"Sequential\" at the top " +
                $"(what model.to_json() writes), got {(className is null ? "no class_name" : $"'{className}'")}");
        }
        JsonObject model = root["config"] as JsonObject
            ?? throw new GpuNetException($"{path}: the Sequential model has no \"config\" object");
        string? version = Text(keras3Metadata?["keras_version"]) ?? Text(root["keras_version"]);
        return new KerasModelFile(path, model, root["compile_config"] as JsonObject, version);
    }

    private static JsonObject Parse(string where, byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw new GpuNetException($"{where}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new GpuNetException($"{where}: not valid JSON ({e.Message})");
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    // A zip's local file header: "PK\x03\x04".
    private static bool IsZip(byte[] bytes) => bytes.AsSpan().StartsWith("PK\u0003\u0004"u8);
}
