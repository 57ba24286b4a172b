namespace GpuNet.Data;

/// <summary>A folder that holds all four files of a dataset, and how it was found.</summary>
public sealed class DatasetLocation
{
    private readonly IReadOnlyDictionary<string, string> _paths;

    public DatasetLocation(
        DatasetDefinition dataset, string directory, DatasetLocationKind kind,
            IReadOnlyDictionary<string, string> paths)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var file in dataset.Files)
        {
            if (!paths.ContainsKey(file.FileName))
            {
                throw new ArgumentException($"No path given for {file.FileName}.", nameof(paths));
            }
        }

        Dataset = dataset;
        Directory = directory;
        Kind = kind;
        _paths = new Dictionary<string, string>(paths);
    }

    public DatasetDefinition Dataset { get; }

    public string Directory { get; }

    public DatasetLocationKind Kind { get; }

    /// <summary>
    /// Where the folder came from, for messages: a user who did not expect GPUNET_DATA to be
    /// set needs to be told that it was.
    /// </summary>
    public string Description => Kind switch
    {
        DatasetLocationKind.DataOption => $"the --data folder '{Directory}'",
        DatasetLocationKind.EnvironmentVariable =>
            $"the folder '{Directory}' found through the environment variable {DatasetLocator.EnvironmentVariable}",
        _ => $"the dataset cache '{Directory}'",
    };

    /// <summary>The file on disk for <paramref name="file"/>: NAME or NAME.gz.</summary>
    public string PathOf(CatalogFile file) =>
        _paths.TryGetValue(file.FileName, out var path)
            ? path
            : throw new ArgumentException($"{file.FileName} is not a file of {Dataset.Name}.", nameof(file));
}
