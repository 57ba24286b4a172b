namespace GpuNet.Data;

/// <summary>
/// Finds the folder that holds a dataset. The places are searched in a fixed order: the folder
/// given explicitly (<c>--data DIR</c>), then the environment variable <c>GPUNET_DATA</c> (a
/// folder that holds the files, or a <c>&lt;name&gt;/</c> sub-folder that does), then the cache
/// <c>&lt;cache root&gt;/&lt;name&gt;/</c>. A file counts as present as NAME or NAME.gz.
/// </summary>
public sealed class DatasetLocator
{
    public const string EnvironmentVariable = "GPUNET_DATA";

    /// <summary>The cache root used when none is given: <c>data</c> under the current directory.</summary>
    public const string DefaultCacheRoot = "data";

    private readonly Func<string, string?> _environment;

    /// <param name="cacheRoot">The folder that holds one sub-folder per cached dataset.</param>
    /// <param name="environment">
    /// Reads an environment variable. Passed in, rather than read from the process, so that tests
    /// running in parallel do not have to share and mutate one process environment.
    /// </param>
    public DatasetLocator(string cacheRoot = DefaultCacheRoot, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheRoot);
        CacheRoot = Path.GetFullPath(cacheRoot);
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    public string CacheRoot { get; }

    /// <summary>The cache folder of a dataset, where downloads go.</summary>
    public string CacheDirectory(DatasetDefinition dataset) => Path.Combine(CacheRoot, dataset.Name);

    /// <summary>
    /// The first place that holds all four files, or null when none does and the dataset must
    /// be downloaded into <see cref="CacheDirectory"/>. An explicit folder that lacks files is an
    /// error rather than a reason to look further: the user asked for that folder, and quietly
    /// using or downloading other data would hide the mistake.
    /// </summary>
    public DatasetLocation? Locate(DatasetDefinition dataset, string? dataDirectory, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);

        if (!string.IsNullOrWhiteSpace(dataDirectory))
        {
            return LocateExplicit(dataset, Path.GetFullPath(dataDirectory));
        }

        string? fromEnvironment = _environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            string root = Path.GetFullPath(fromEnvironment);
            // The sub-folder comes first: the four file names are the same for every dataset, so a
            // folder holding them directly may well hold a different dataset than the one asked for.
            foreach (string candidate in new[] { Path.Combine(root, dataset.Name), root })
            {
                if (TryComplete(dataset, candidate, DatasetLocationKind.EnvironmentVariable) is { } found)
                {
                    return found;
                }
            }

            log?.WriteLine(
                $"{EnvironmentVariable}={fromEnvironment}: neither '{root}' nor '{Path.Combine(root,
                    dataset.Name)}' holds all four {dataset.Name} files; looking in the dataset cache.");
        }

        return TryComplete(dataset, CacheDirectory(dataset), DatasetLocationKind.Cache);
    }

    /// <summary>The path of <paramref name="file"/> in <paramref name="directory"/> as NAME or NAME.gz, or
    /// null.</summary>
    public static string? FindFile(string directory, CatalogFile file)
    {
        // The uncompressed name wins when both exist: it is what the npm fallback writes and it
        // reads faster.
        foreach (string name in new[] { file.FileName, file.GzipFileName })
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>The files of <paramref name="dataset"/> that <paramref name="directory"/> lacks.</summary>
    public static IReadOnlyList<CatalogFile> MissingFiles(DatasetDefinition dataset, string directory) =>
        dataset.Files.Where(f => FindFile(directory, f) is null).ToArray();

    private static DatasetLocation LocateExplicit(DatasetDefinition dataset, string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new GpuNetException(
                $"The --data folder '{directory}' does not exist; expected a folder holding the four " +
                    $"{dataset.Name} files {FileList(dataset.Files)} (each may be gzipped, with .gz added). Nothing " +
                        $"is downloaded when --data is given.");
        }

        if (TryComplete(dataset, directory, DatasetLocationKind.DataOption) is { } direct)
        {
            return direct;
        }

        string subFolder = Path.Combine(directory, dataset.Name);
        if (TryComplete(dataset, subFolder, DatasetLocationKind.DataOption) is { } nested)
        {
            return nested;
        }

        var missing = MissingFiles(dataset, directory);
        throw new GpuNetException(
            $"The --data folder '{directory}' lacks {missing.Count} of the four " +
                $"{dataset.Name} files: {FileList(missing)} (expected each as NAME or NAME.gz; its sub-folder " +
                    $"'{dataset.Name}' does not hold all four either). Nothing is downloaded when --data is given; " +
                        $"copy the files there, or leave out --data to use the dataset cache, which downloads them.");
    }

    private static DatasetLocation? TryComplete(DatasetDefinition dataset, string directory, DatasetLocationKind kind)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var paths = new Dictionary<string, string>();
        foreach (var file in dataset.Files)
        {
            if (FindFile(directory, file) is not { } path)
            {
                return null;
            }

            paths[file.FileName] = path;
        }

        return new DatasetLocation(dataset, directory, kind, paths);
    }

    private static string FileList(IEnumerable<CatalogFile> files) => string.Join(", ", files.Select(f => f.FileName));
}
