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
}
