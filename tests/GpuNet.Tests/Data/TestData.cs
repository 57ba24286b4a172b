namespace GpuNet.Tests.Data;

/// <summary>
/// Where the real datasets are for tests: <c>../shared/data/&lt;name&gt;</c> next to the
/// repository, never inside it (datasets are not committed).
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder that holds GpuNet.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The four gzipped MNIST IDX files.</summary>
    public static string MnistDirectory => DatasetDirectory("mnist");

    /// <summary>The four gzipped Fashion-MNIST IDX files.</summary>
    public static string FashionMnistDirectory => DatasetDirectory("fashion-mnist");

    private static string DatasetDirectory(string name)
    {
        string directory = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", name));
        return Directory.Exists(directory)
            ? directory
            : throw new DirectoryNotFoundException(
                $"The test dataset folder '{directory}' does not exist; the tests expect the shared datasets at " +
                    $"../shared/data/{name} relative to the repository root '{RepositoryRoot}'.");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory =
            directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GpuNet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"No folder holding GpuNet.sln above the test output folder '{AppContext.BaseDirectory}'.");
    }
}
