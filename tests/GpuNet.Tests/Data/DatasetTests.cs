using GpuNet.Data;

namespace GpuNet.Tests.Data;

public sealed class DatasetTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // Five 2x3 images; every pixel of sample s is 10 * s + position, labels 3, 1, 4, 1, 5.
    private static Dataset Small() => Dataset.FromIdx(
        IdxReader.ParseImages(IdxBytes.Images(5, 2, 3, (s, i) => (byte)(10 * s + i)), "images"),
        IdxReader.ParseLabels(IdxBytes.Labels(3, 1, 4, 1, 5), "labels"));

    private static float Pixel(int sample, int position) => (10 * sample + position) / 255f;

    [Fact]
    public void Pairs_images_with_labels_and_scales_pixels_to_the_unit_range()
    {
        var images = IdxReader.ParseImages(IdxBytes.Images(2, 1, 3, (s, i) => s == 0 ? (byte)(i * 51) : (byte)255),
            "images");
        var labels = IdxReader.ParseLabels(IdxBytes.Labels(7, 2), "labels");

        var dataset = Dataset.FromIdx(images, labels);

        Assert.Equal(2, dataset.Count);
        Assert.Equal(1, dataset.Height);
        Assert.Equal(3, dataset.Width);
        Assert.Equal(3, dataset.PixelsPerImage);
        Assert.Equal(10, dataset.ClassCount);
        Assert.Equal([0f, 0.2f, 0.4f, 1f, 1f, 1f], dataset.Images);
        Assert.Equal([7, 2], dataset.Labels);
    }

    [Fact]
    public void Every_byte_value_scales_to_exactly_value_over_255()
    {
        var images = IdxReader.ParseImages(IdxBytes.Images(1, 16, 16, (_, i) => (byte)i), "images");
        var dataset = Dataset.FromIdx(images, IdxReader.ParseLabels(IdxBytes.Labels(0), "labels"));

        for (int v = 0; v < 256; v++)
        {
            Assert.Equal(v / 255f, dataset.Images[v]);
        }
    }

    [Fact]
    public void A_set_read_from_idx_holds_bytes_and_fills_batches_with_the_same_floats_as_a_float_set()
    {
        var images = IdxReader.ParseImages(IdxBytes.Images(4, 16, 16, (s, i) => (byte)(i + 3 * s)), "images");
        var fromBytes = Dataset.FromIdx(images, IdxReader.ParseLabels(IdxBytes.Labels(0, 1, 2, 3), "labels"));
        var fromFloats = new Dataset(fromBytes.Images, fromBytes.Labels, 16, 16);
        Assert.True(fromBytes.HoldsBytes);
        Assert.False(fromFloats.HoldsBytes);

        float[] a = new float[3 * 256], b = new float[3 * 256];
        fromBytes.FillImages([3, 1, 3], a);
        fromFloats.FillImages([3, 1, 3], b);
        Assert.Equal(b, a);
        Assert.Equal((3 + 3 * 3) / 255f, a[3]);
        fromBytes.CopyImages(1, 2, a.AsSpan(0, 512));
        fromFloats.CopyImages(1, 2, b.AsSpan(0, 512));
        Assert.Equal(b, a);
        Assert.Equal(fromFloats.Slice(1, 3).Images, fromBytes.Slice(1, 3).Images);
        Assert.True(fromBytes.Slice(1, 3).HoldsBytes);
    }

    [Fact]
    public void Reads_a_pair_of_files()
    {
        string images = _temp.File("images.gz");
        string labels = _temp.File("labels");
        File.WriteAllBytes(images, IdxBytes.Gzip(IdxBytes.Images(5, 2, 3, (s, i) => (byte)(10 * s + i))));
        File.WriteAllBytes(labels, IdxBytes.Labels(3, 1, 4, 1, 5));

        var dataset = Dataset.FromFiles(images, labels);

        Assert.Equal(5, dataset.Count);
        Assert.Equal(Pixel(4, 5), dataset.Images[^1]);
        Assert.Equal([3, 1, 4, 1, 5], dataset.Labels);
    }

    [Fact]
    public void Image_and_label_counts_that_disagree_name_both_files()
    {
        string images = _temp.File("train-images-idx3-ubyte");
        string labels = _temp.File("t10k-labels-idx1-ubyte");
        File.WriteAllBytes(images, IdxBytes.Images(3, 2, 2, (_, _) => 0));
        File.WriteAllBytes(labels, IdxBytes.Labels(1, 2));

        var error = Assert.Throws<GpuNetException>(() => Dataset.FromFiles(images, labels));

        Assert.Contains(images, error.Message);
        Assert.Contains(labels, error.Message);
        Assert.Contains("3 images", error.Message);
        Assert.Contains("2 labels", error.Message);
        Assert.Contains("expected the same count", error.Message);
    }

    [Fact]
    public void A_label_beyond_the_classes_names_its_byte_offset()
    {
        var images = IdxReader.ParseImages(IdxBytes.Images(3, 1, 1, (_, _) => 0), "images");
        var labels = IdxReader.ParseLabels(IdxBytes.Labels(0, 9, 10), "labels-file");

        var error = Assert.Throws<GpuNetException>(() => Dataset.FromIdx(images, labels));

        Assert.Contains("labels-file", error.Message);
        Assert.Contains("label 10 for sample 2 at byte offset 10", error.Message);
        Assert.Contains("from 0 to 9", error.Message);
    }

    [Fact]
    public void Slice_copies_a_range_of_samples()
    {
        var dataset = Small();

        var slice = dataset.Slice(1, 4);

        Assert.Equal(3, slice.Count);
        Assert.Equal([1, 4, 1], slice.Labels);
        Assert.Equal(Pixel(1, 0), slice.Images[0]);
        Assert.Equal(Pixel(3, 5), slice.Images[^1]);
        Assert.Equal((2, 3, 10), (slice.Height, slice.Width, slice.ClassCount));

        slice.Images[0] = -1;
        slice.Labels[0] = 9;
        Assert.Equal(Pixel(1, 0), dataset.Images[6]);
        Assert.Equal(1, dataset.Labels[1]);
    }

    [Fact]
    public void Slice_accepts_empty_and_whole_ranges()
    {
        var dataset = Small();

        Assert.Equal(0, dataset.Slice(5, 5).Count);
        Assert.Equal(dataset.Images, dataset.Slice(0, 5).Images);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(3, 2)]
    [InlineData(0, 6)]
    public void Slice_outside_the_dataset_says_what_was_expected(int start, int end)
    {
        var error = Assert.Throws<GpuNetException>(() => Small().Slice(start, end));

        Assert.Contains($"samples {start} to {end}", error.Message);
        Assert.Contains("expected 0 <= start <= end <= 5", error.Message);
    }

    [Fact]
    public void FillImages_copies_the_given_samples_in_order()
    {
        var dataset = Small();
        var batch = new float[3 * 6];

        dataset.FillImages([4, 0, 4], batch);

        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(Pixel(4, i), batch[i]);
            Assert.Equal(Pixel(0, i), batch[6 + i]);
            Assert.Equal(Pixel(4, i), batch[12 + i]);
        }

        Assert.Equal(dataset.GetImage(4).ToArray(), batch[..6]);
    }

    [Fact]
    public void FillOneHot_writes_one_row_per_sample()
    {
        var dataset = Small();
        var targets = Enumerable.Repeat(7f, 2 * 10).ToArray(); // stale values must be cleared

        dataset.FillOneHot([2, 3], targets);

        float[] expected = new float[20];
        expected[4] = 1; // sample 2 has label 4
        expected[10 + 1] = 1; // sample 3 has label 1
        Assert.Equal(expected, targets);
    }

    [Fact]
    public void OneHot_and_FillLabels_agree_with_the_labels()
    {
        var dataset = Small();
        Span<float> target = stackalloc float[10];
        dataset.OneHot(4, target);
        Assert.Equal(5, target.IndexOf(1f));
        Assert.Equal(1f, target.ToArray().Sum());

        var labels = new int[3];
        dataset.FillLabels([4, 0, 1], labels);
        Assert.Equal([5, 3, 1], labels);
    }

    [Fact]
    public void CountPerClass_is_a_histogram_of_the_labels()
    {
        Assert.Equal([0, 2, 0, 1, 1, 1, 0, 0, 0, 0], Small().CountPerClass());
    }

    [Fact]
    public void Batch_buffers_of_the_wrong_size_are_refused()
    {
        var dataset = Small();

        Assert.Throws<ArgumentException>(() => dataset.FillImages([0, 1], new float[11]));
        Assert.Throws<ArgumentException>(() => dataset.FillOneHot([0, 1], new float[10]));
        Assert.Throws<ArgumentException>(() => dataset.OneHot(0, new float[9]));
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.FillImages([5], new float[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.FillOneHot([-1], new float[10]));
    }

    [Fact]
    public void The_constructor_checks_that_images_and_labels_fit_together()
    {
        Assert.Throws<ArgumentException>(() => new Dataset(new float[7], new byte[2], 2, 2));
        Assert.Throws<ArgumentException>(() => new Dataset(new float[4], [10], 2, 2));
        Assert.Equal(1, new Dataset(new float[4], [9], 2, 2).Count);
    }
}
