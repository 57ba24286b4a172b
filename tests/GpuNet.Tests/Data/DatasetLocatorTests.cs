using GpuNet.Data;

namespace GpuNet.Tests.Data;

public sealed class DatasetLocatorTests : IDisposable
{
    private static readonly DatasetDefinition Mnist = DatasetCatalog.Mnist;
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // The locator only looks at names, so empty files stand in for the dataset.
    private string FolderWithFiles(string name, bool gzipped = false, int count = 4)
    {
        string folder = _temp.Folder(name);
        foreach (var file in Mnist.Files.Take(count))
        {
            File.WriteAllBytes(Path.Combine(folder, gzipped ? file.GzipFileName : file.FileName), []);
        }

        return folder;
    }

    private DatasetLocator Locator(string? gpunetData) =>
        new(Path.Combine(_temp.Path, "cache"), name => name == DatasetLocator.EnvironmentVariable ? gpunetData : null);

    [Fact]
    public void The_data_option_beats_the_environment_variable_and_the_cache()
    {
        string explicitFolder = FolderWithFiles("explicit");
        string environmentFolder = FolderWithFiles("environment");
        FolderWithFiles(Path.Combine("cache", "mnist"));

        var location = Locator(environmentFolder).Locate(Mnist, explicitFolder);

        Assert.NotNull(location);
        Assert.Equal(DatasetLocationKind.DataOption, location.Kind);
        Assert.Equal(explicitFolder, location.Directory);
        Assert.Equal(Path.Combine(explicitFolder, "train-images-idx3-ubyte"), location.PathOf(Mnist.TrainImages));
        Assert.Contains("--data", location.Description);
    }

    [Fact]
    public void The_environment_variable_beats_the_cache()
    {
        string environmentFolder = FolderWithFiles("environment", gzipped: true);
        FolderWithFiles(Path.Combine("cache", "mnist"));

        var location = Locator(environmentFolder).Locate(Mnist, dataDirectory: null);

        Assert.NotNull(location);
        Assert.Equal(DatasetLocationKind.EnvironmentVariable, location.Kind);
        Assert.Equal(environmentFolder, location.Directory);
        Assert.Equal(Path.Combine(environmentFolder, "t10k-labels-idx1-ubyte.gz"), location.PathOf(Mnist.TestLabels));
        Assert.Contains("GPUNET_DATA", location.Description);
    }

    [Fact]
    public void The_environment_variable_may_name_a_folder_of_dataset_folders()
    {
        string root = _temp.Folder("datasets");
        FolderWithFiles(Path.Combine("datasets", "mnist"));

        var location = Locator(root).Locate(Mnist, null);

        Assert.NotNull(location);
        Assert.Equal(Path.Combine(root, "mnist"), location.Directory);
        Assert.Equal(DatasetLocationKind.EnvironmentVariable, location.Kind);
    }

    [Fact]
    public void The_dataset_sub_folder_of_the_environment_variable_beats_files_lying_directly_in_it()
    {
        // The file names are the same for every dataset, so loose files may be another dataset.
        string root = FolderWithFiles("datasets");
        FolderWithFiles(Path.Combine("datasets", "mnist"));

        var location = Locator(root).Locate(Mnist, null);

        Assert.Equal(Path.Combine(root, "mnist"), location?.Directory);
    }

    [Fact]
    public void An_incomplete_environment_folder_falls_through_to_the_cache_with_a_note()
    {
        string environmentFolder = FolderWithFiles("environment", count: 3);
        string cache = FolderWithFiles(Path.Combine("cache", "mnist"));
        var log = new StringWriter();

        var location = Locator(environmentFolder).Locate(Mnist, null, log);

        Assert.NotNull(location);
        Assert.Equal(DatasetLocationKind.Cache, location.Kind);
        Assert.Equal(cache, location.Directory);
        Assert.Contains("GPUNET_DATA", log.ToString());
    }

    [Fact]
    public void The_cache_is_used_when_nothing_else_is_set()
    {
        string cache = FolderWithFiles(Path.Combine("cache", "mnist"), gzipped: true);

        var location = Locator(null).Locate(Mnist, null);

        Assert.Equal(DatasetLocationKind.Cache, location?.Kind);
        Assert.Equal(cache, location?.Directory);
        Assert.Contains("cache", location?.Description);
    }

    [Fact]
    public void Nothing_found_anywhere_is_null_so_that_the_caller_downloads()
    {
        FolderWithFiles(Path.Combine("cache", "mnist"), count: 2);

        Assert.Null(Locator(FolderWithFiles("empty", count: 0)).Locate(Mnist, null));
        Assert.Equal(Path.Combine(_temp.Path, "cache", "mnist"), Locator(null).CacheDirectory(Mnist));
    }

    [Fact]
    public void A_file_counts_as_present_plain_or_gzipped_and_the_plain_one_wins()
    {
        string folder = FolderWithFiles("mixed", gzipped: true);
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), []);

        var location = Locator(null).Locate(Mnist, folder);

        Assert.Equal(Path.Combine(folder, "train-labels-idx1-ubyte"), location?.PathOf(Mnist.TrainLabels));
        Assert.Equal(Path.Combine(folder, "train-images-idx3-ubyte.gz"), location?.PathOf(Mnist.TrainImages));
    }

    [Fact]
    public void A_data_option_folder_lacking_files_is_an_error_naming_it_and_the_missing_files()
    {
        string partial = FolderWithFiles("partial", count: 2);
        FolderWithFiles(Path.Combine("cache", "mnist")); // present, but must not be used instead

        var error = Assert.Throws<GpuNetException>(() => Locator(null).Locate(Mnist, partial));

        Assert.Contains(partial, error.Message);
        Assert.Contains("t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte", error.Message);
        Assert.DoesNotContain("train-images-idx3-ubyte", error.Message);
        Assert.Contains("Nothing is downloaded", error.Message);
    }

    [Fact]
    public void A_data_option_folder_that_does_not_exist_is_an_error_naming_it()
    {
        string absent = Path.Combine(_temp.Path, "absent");

        var error = Assert.Throws<GpuNetException>(() => Locator(null).Locate(Mnist, absent));

        Assert.Contains(absent, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void A_data_option_folder_may_hold_the_dataset_in_a_sub_folder()
    {
        string root = _temp.Folder("root");
        string nested = FolderWithFiles(Path.Combine("root", "mnist"));

        Assert.Equal(nested, Locator(null).Locate(Mnist, root)?.Directory);
    }
}
