namespace GpuNet.Tests.Cli;

/// <summary>User errors give one clear paragraph and exit code 2, never a stack trace.</summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private GpunetProcess.Result RunWithConfig(string verb, string configText, params string[] extra)
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), configText);
        return GpunetProcess.Run(_folder, [verb, "run.yaml", .. extra]);
    }

    private static void AssertUserError(GpunetProcess.Result result, string expected)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }

    [Fact]
    public void Missing_config_file()
    {
        AssertUserError(GpunetProcess.Run(_folder, "train", "nothing-here.yaml"),
            "error: nothing-here.yaml: config file not found");
    }

    [Fact]
    public void Yaml_syntax_error()
    {
        AssertUserError(RunWithConfig("summary", "model:\n  layers: [Flatten\n"), "error: run.yaml:");
    }

    [Fact]
    public void Unknown_layer_lists_the_valid_ones()
    {
        var result = RunWithConfig("summary",
            "model:\n  layers:\n    - Dense3: {units: 3}\nloss: mse\noptimizer: SGD\n");
        AssertUserError(result, "run.yaml:3:7: model.layers[0]: unknown layer 'Dense3'; valid layers are Dense,");
    }

    [Fact]
    public void Negative_units()
    {
        var result = RunWithConfig("summary",
            "model:\n  layers:\n    - Flatten\n    - Dense: {units: -3}\nloss: mse\noptimizer: SGD\n");
        AssertUserError(result, "run.yaml:4:22: model.layers[1].units: expected a positive integer, got -3");
    }

    [Fact]
    public void Summary_prints_the_keras_table()
    {
        var result = RunWithConfig("summary",
            "model:\n  input_shape: [784]\n  layers:\n    - Dense: {units: 512, activation: relu}\n" +
            "    - Dense: {units: 512, activation: relu}\n    - Dense: {units: 10, activation: softmax}\nloss: " +
                "categorical_crossentropy\noptimizer: SGD\n");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Total params: 669,706", result.Output);
    }

    [Fact]
    public void Data_folder_without_the_files()
    {
        string empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        var result = RunWithConfig("train",
            "model:\n  layers: [Flatten, Dense: {units: 10}]\nloss: mse\noptimizer: SGD\n", "--data", empty);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(empty, result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
