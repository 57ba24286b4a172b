using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>Run folders are claimed by the creation itself: runs started at once never share one.</summary>
public sealed class RunFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gpunet-runfolder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Eight_runs_created_at_once_in_the_same_second_get_eight_folders()
    {
        var now = new DateTime(2024, 5, 1, 12, 0, 0);
        for (int round = 0; round < 25; round++)
        {
            string root = Path.Combine(_root, $"round{round}");
            using var start = new Barrier(8);
            var folders = new string[8];
            var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                folders[i] = RunFolder.Create(root, "mnist-mlp", now, $"run {i}").Path;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Equal(8, folders.Distinct().Count());
            Assert.Equal(
                ["mnist-mlp-20240501-120000", .. Enumerable.Range(2, 7).Select(s => $"mnist-mlp-20240501-120000-{s}")],
                Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).OrderBy(n =>
                    n!.Length));
            // Each folder holds the config of the run that claimed it, and only that.
            for (int i = 0; i < 8; i++)
                Assert.Equal($"run {i}", File.ReadAllText(Path.Combine(folders[i], "config.yaml")));
        }
    }

    [Fact]
    public void A_taken_name_moves_to_the_next_suffix_even_when_it_is_a_file_or_an_empty_folder()
    {
        var now = new DateTime(2024, 5, 1, 12, 0, 0);
        Directory.CreateDirectory(Path.Combine(_root, "run-20240501-120000"));
        File.WriteAllText(Path.Combine(_root, "run-20240501-120000-2"), "not a folder");
        RunFolder folder = RunFolder.Create(_root, "run", now, "config");
        Assert.Equal(Path.Combine(_root, "run-20240501-120000-3"), folder.Path);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root, "run-20240501-120000")));
    }
}
