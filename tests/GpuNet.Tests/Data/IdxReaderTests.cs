using GpuNet.Data;

namespace GpuNet.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, byte[] content)
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_header_and_data_of_raw_and_gzipped_files(bool gzipped)
    {
        byte[] content = IdxBytes.Images(3, 2, 4, (s, i) => (byte)(10 * s + i));
        string path = Write("images", gzipped ? IdxBytes.Gzip(content) : content);

        var idx = IdxReader.ReadImages(path);

        Assert.Equal(path, idx.Path);
        Assert.Equal(IdxReader.ImageMagic, idx.Magic);
        Assert.Equal(2051, idx.Magic);
        Assert.Equal([3, 2, 4], idx.Dimensions);
        Assert.Equal(3, idx.Count);
        Assert.Equal(16, idx.HeaderLength);
        Assert.Equal(content[16..], idx.Data.ToArray());
    }

    [Fact]
    public void Reads_a_label_file()
    {
        var idx = IdxReader.ReadLabels(Write("labels", IdxBytes.Labels(4, 0, 9)));

        Assert.Equal(2049, idx.Magic);
        Assert.Equal([3], idx.Dimensions);
        Assert.Equal([4, 0, 9], idx.Data.ToArray());
    }

    [Fact]
    public void Reads_the_real_mnist_test_labels()
    {
        var idx = IdxReader.ReadLabels(Path.Combine(TestData.MnistDirectory, "t10k-labels-idx1-ubyte.gz"));

        Assert.Equal([10_000], idx.Dimensions);
        Assert.Equal(7, idx.Data.Span[0]); // the first MNIST test digit is a 7
    }

    [Fact]
    public void A_truncated_raw_file_names_the_file_and_the_expected_and_actual_byte_counts()
    {
        byte[] content = IdxBytes.Images(10, 28, 28, (s, i) => (byte)i);
        string path = Write("train-images-idx3-ubyte", content[..5000]);

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("expected", error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("7,856", error.Message); // 16 + 10 * 28 * 28
        Assert.Contains("5,000", error.Message);
    }

    [Fact]
    public void A_truncated_copy_of_a_real_gzipped_file_names_the_file_and_what_was_expected()
    {
        byte[] gz = File.ReadAllBytes(Path.Combine(TestData.MnistDirectory, "t10k-images-idx3-ubyte.gz"));
        string path = Write("t10k-images-idx3-ubyte.gz", gz[..(gz.Length / 2)]);

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("expected", error.Message);
        Assert.Contains("7,840,016", error.Message);
    }

    [Fact]
    public void Extra_bytes_after_the_data_are_an_error()
    {
        string path = Write("labels", [.. IdxBytes.Labels(1, 2), 0, 0, 0]);

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("expected", error.Message);
        Assert.Contains("3 unexpected bytes from byte offset 10", error.Message);
    }

    [Fact]
    public void A_label_file_read_as_images_is_a_wrong_magic_number()
    {
        string path = Write("train-images-idx3-ubyte", IdxBytes.Labels(1, 2, 3));

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("magic number 2049", error.Message);
        Assert.Contains("expected magic number 2051", error.Message);
        Assert.Contains("byte offset 0", error.Message);
    }

    [Fact]
    public void An_image_file_read_as_labels_is_a_wrong_magic_number()
    {
        string path = Write("labels", IdxBytes.Images(1, 2, 2, (_, _) => 0));

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("expected magic number 2049", error.Message);
        Assert.Contains("2051", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_idx_at_all_shows_its_first_bytes()
    {
        string path = Write("images", "<html>not found</html>"u8.ToArray());

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("not an IDX file", error.Message);
        Assert.Contains("3c 68 74 6d", error.Message);
        Assert.Contains("expected magic number 2051", error.Message);
    }

    [Fact]
    public void An_element_type_other_than_unsigned_byte_is_refused()
    {
        string path = Write("floats", IdxBytes.Build([1], [0, 0, 0, 0], elementType: 0x0D));

        var error = Assert.Throws<GpuNetException>(() => IdxReader.Read(path));

        Assert.Contains("element type 0x0d (float)", error.Message);
        Assert.Contains("byte offset 2", error.Message);
        Assert.Contains("expected 0x08", error.Message);
    }

    [Fact]
    public void A_header_cut_short_is_refused()
    {
        string path = Write("images", IdxBytes.Images(1, 2, 2, (_, _) => 0)[..10]);

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadImages(path));

        Assert.Contains("inside its header", error.Message);
        Assert.Contains("expected at least 16 bytes", error.Message);
    }

    [Fact]
    public void A_negative_dimension_names_its_header_field()
    {
        byte[] content = IdxBytes.Images(1, 2, 2, (_, _) => 0);
        content[8] = 0xff; // the height field, byte offset 8

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ParseImages(content, "some-file"));

        Assert.Contains("some-file", error.Message);
        Assert.Contains("image height", error.Message);
        Assert.Contains("byte offset 8", error.Message);
    }

    [Fact]
    public void Zero_dimensions_are_refused()
    {
        var error = Assert.Throws<GpuNetException>(() => IdxReader.Parse([0, 0, 8, 0], "empty-header"));
        Assert.Contains("0 dimensions", error.Message);
    }

    [Fact]
    public void A_too_short_file_is_refused()
    {
        var error = Assert.Throws<GpuNetException>(() => IdxReader.ParseLabels([0, 0], "tiny"));
        Assert.Contains("tiny", error.Message);
        Assert.Contains("2 bytes long", error.Message);
    }

    [Fact]
    public void A_corrupted_gzip_file_is_an_error_naming_the_file()
    {
        byte[] gz = IdxBytes.Gzip(IdxBytes.Images(20, 28, 28, (s, i) => (byte)(s + i)));
        gz[^6] ^= 0x01; // the CRC-32 in the gzip trailer
        string path = Write("t10k-images-idx3-ubyte.gz", gz);

        var error = Assert.Throws<GpuNetException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("gzip", error.Message);
    }
}
