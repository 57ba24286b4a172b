using GpuNet.Config;
using GpuNet.Tests.Data;

namespace GpuNet.Tests.Config;

/// <summary>Every config shipped in configs/ reads and builds, so none of them rots.</summary>
public sealed class CommittedConfigTests
{
    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        string root = Path.Combine(TestData.RepositoryRoot, "configs");
        foreach (string file in Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Config_reads_and_builds(string relativePath)
    {
        RunConfig config = RunConfigReader.ReadFile(Path.Combine(TestData.RepositoryRoot, "configs", relativePath));
        var model = config.CreateModel().Build();
        Assert.True(model.TrainableParameterCount > 0);
        Assert.Equal([10], model.Output.SampleShape);
        config.CreateOptimizer();
        config.CreateCallbacks();
    }

    [Fact]
    public void The_side_by_side_chollet_convnet_is_the_committed_one_on_the_whole_training_set()
    {
        RunConfig peer = RunConfigReader.ReadFile(Path.Combine(TestData.RepositoryRoot, "bench", "peer",
            "chollet-convnet.yaml"));
        RunConfig committed = RunConfigReader.ReadFile(Path.Combine(TestData.RepositoryRoot, "configs",
            "chollet-convnet.yaml"));
        Assert.Equal(93_322, peer.CreateModel().Build().TrainableParameterCount);
        Assert.Equal(committed.CreateModel().Build().TrainableParameterCount,
            peer.CreateModel().Build().TrainableParameterCount);
        Assert.Equal((committed.BatchSize, committed.Name), (peer.BatchSize, peer.Name));
        Assert.Equal(60_000, peer.Validation.Select(Digits(60_000), Digits(1), peer.TrainingRange).Train.Count);
    }

    private static GpuNet.Data.Dataset Digits(int count) => new(new byte[count * 784], new byte[count], 28, 28);
}
