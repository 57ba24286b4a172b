namespace GpuNet.Tests.Data;

/// <summary>A fresh folder under the system temp folder, deleted with its content on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("gpunet-test-").FullName;
    }

    public string Path { get; }

    /// <summary>A path inside the folder (sub-folders are created on demand).</summary>
    public string File(params string[] parts)
    {
        string path = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>A sub-folder, created.</summary>
    public string Folder(params string[] parts) =>
        Directory.CreateDirectory(System.IO.Path.Combine([Path, .. parts])).FullName;

    /// <summary>The names of the files in <paramref name="folder"/> (hidden ones included), sorted.</summary>
    public static string[] FileNames(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder).Select(System.IO.Path.GetFileName).OfType<string>()
                .Order(StringComparer.Ordinal).ToArray()
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left under the temp folder; harmless.
        }
    }
}
