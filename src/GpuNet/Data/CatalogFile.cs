namespace GpuNet.Data;

/// <summary>
/// One file of a known dataset: its name (uncompressed; mirrors serve it with ".gz" added) and
/// the SHA-256 of its uncompressed content. The hash is of the uncompressed content because
/// the same data circulates under different gzip encodings (Debian recompresses, npm ships it
/// raw), and a hash of the compressed bytes would refuse good copies.
/// </summary>
/// <param name="FileName">The uncompressed file name, for example <c>train-images-idx3-ubyte</c>.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the uncompressed content.</param>
public sealed record CatalogFile(string FileName, string Sha256)
{
    /// <summary>The name the file has when gzipped, as mirrors serve it.</summary>
    public string GzipFileName => FileName + ".gz";
}
