using System.Security.Cryptography;
using GpuNet.Data;

namespace GpuNet.Tests.Data;

public sealed class GzipAwareFileTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Detects_gzip_by_content_not_by_name()
    {
        byte[] content = IdxBytes.Labels(1, 2, 3);
        string gzippedWithoutSuffix = _temp.File("labels");
        string rawWithSuffix = _temp.File("labels.gz");
        File.WriteAllBytes(gzippedWithoutSuffix, IdxBytes.Gzip(content));
        File.WriteAllBytes(rawWithSuffix, content);

        Assert.True(GzipAwareFile.IsGzip(gzippedWithoutSuffix));
        Assert.False(GzipAwareFile.IsGzip(rawWithSuffix));
        Assert.Equal(content, GzipAwareFile.ReadAllBytes(gzippedWithoutSuffix));
        Assert.Equal(content, GzipAwareFile.ReadAllBytes(rawWithSuffix));
    }

    [Fact]
    public void Reads_concatenated_gzip_members_whose_trailer_size_is_only_the_last_members()
    {
        // The trailer of the last member says 3 bytes; the whole content is far longer, so the
        // reader must not trust the size hint.
        var first = new byte[200_000];
        new System.Random(7).NextBytes(first);
        byte[] second = [9, 8, 7];
        string path = _temp.File("two-members.gz");
        File.WriteAllBytes(path, [.. IdxBytes.Gzip(first), .. IdxBytes.Gzip(second)]);

        Assert.Equal([.. first, .. second], GzipAwareFile.ReadAllBytes(path));
    }

    [Fact]
    public void Sha256_is_of_the_uncompressed_content_for_both_forms()
    {
        var content = new byte[100_000];
        new System.Random(3).NextBytes(content);
        string raw = _temp.File("raw");
        string gz = _temp.File("gz");
        File.WriteAllBytes(raw, content);
        File.WriteAllBytes(gz, IdxBytes.Gzip(content));
        string expected = Convert.ToHexStringLower(SHA256.HashData(content));

        Assert.Equal(expected, GzipAwareFile.ComputeSha256(raw));
        Assert.Equal(expected, GzipAwareFile.ComputeSha256(gz));
        Assert.Equal(expected, GzipAwareFile.Sha256Hex(content));
    }

    [Fact]
    public void A_damaged_gzip_stream_is_an_error_naming_the_file()
    {
        byte[] gz = IdxBytes.Gzip(IdxBytes.Images(50, 28, 28, (s, i) => (byte)(s * 7 + i)));
        for (int i = 20; i < 60; i++)
        {
            gz[i] ^= 0x5a;
        }

        string path = _temp.File("train-images-idx3-ubyte.gz");
        File.WriteAllBytes(path, gz);

        var read = Assert.Throws<GpuNetException>(() => GzipAwareFile.ReadAllBytes(path));
        var hash = Assert.Throws<GpuNetException>(() => GzipAwareFile.ComputeSha256(path));
        foreach (var error in new[] { read, hash })
        {
            Assert.Contains(path, error.Message);
            Assert.Contains("gzip", error.Message);
            Assert.Contains("damaged", error.Message);
        }
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        string path = _temp.File("absent");
        var error = Assert.Throws<GpuNetException>(() => GzipAwareFile.ReadAllBytes(path));
        Assert.Contains(path, error.Message);
    }
}
