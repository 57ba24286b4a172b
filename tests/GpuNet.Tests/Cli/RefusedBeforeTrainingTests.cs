using GpuNet.Tests.Data;

namespace GpuNet.Tests.Cli;

/// <summary>
/// Through the real gpunet process: a model too large, a zero-sized layer or window, and a model
/// that does not fit the data are each refused with exit code 2 and one paragraph, no stack
/// trace — and before the run folder is made, so no empty run is left behind.
/// </summary>
public sealed class RefusedBeforeTrainingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-refused-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Config(string inputShape, IEnumerable<string> layers, string extra = "") =>
        $"model:\n  input_shape: {inputShape}\n  layers:\n{string.Concat(layers.Select(l => $"    - {l}\n"))}" +
        $"loss: categorical_crossentropy\noptimizer: Adam\n{extra}";

    public static TheoryData<string, string, string> Cases => new()
    {
        {
            "parameters past an int",
            Config("[784]", ["Dense: {units: 3000000}", "Dense: {units: 10, activation: softmax}"]),
            "run.yaml:4:7: model.layers[0] (Dense): its kernel of shape (784, 3000000) would hold 2,352,000,000 " +
                "weights, 9.41 GB (9,408,000,000 bytes)"
        },
        {
            "activations of a batch past an int",
            Config("[784]", ["Dense: {units: 1000000}", "Dense: {units: 10, activation: softmax}"],
                "batch_size: 4000\n"),
            "run.yaml:4:7: model.layers[0] (Dense): its training output (matmul) for a batch of 4,000 would hold " +
                "4,000,000,000 values, 16 GB"
        },
        {
            // 81 layers of 1.6·10⁹ weights: about 2 TB with Adam, more than any machine this runs on.
            "more memory than the machine has",
            Config("[784]",
                ["Dense: {units: 40000}", .. Enumerable.Repeat("Dense: {units: 40000}", 80),
                    "Dense: {units: 10, activation: softmax}"]),
            "model.layers[1] (Dense): training this model with batch_size 32 needs 2.06 TB (2,055,872,968,304 bytes): "
                +
                "1.02 TB of weights and gradients"
        },
        { "units: 0", Config("[784]", ["Dense: {units: 0}", "Dense: {units: 10, activation: softmax}"]),
            "run.yaml:4:22: model.layers[0].units: expected a positive integer, got 0" },
        {
            "a zero-sized kernel",
            Config("[28, 28, 1]",
                ["Conv2D: {filters: 4, kernel_size: [3, 0]}", "Flatten", "Dense: {units: 10, activation: softmax}"]),
            "run.yaml:4:45: model.layers[0].kernel_size[1]: expected a positive integer, got 0"
        },
        {
            "a zero-sized pool",
            Config("[28, 28, 1]",
                ["MaxPooling2D: {pool_size: 0}", "Flatten", "Dense: {units: 10, activation: softmax}"]),
            "run.yaml:4:33: model.layers[0].pool_size: expected a positive integer, got 0"
        },
        {
            "zero strides",
            Config("[28, 28, 1]",
                ["Conv2D: {filters: 4, kernel_size: 3, strides: 0}", "Flatten",
                    "Dense: {units: 10, activation: softmax}"]),
            "run.yaml:4:53: model.layers[0].strides: expected a positive integer, got 0"
        },
        {
            "a kernel larger than the image",
            Config("[28, 28, 1]",
                ["Conv2D: {filters: 4, kernel_size: 29}", "Flatten", "Dense: {units: 10, activation: softmax}"]),
            "run.yaml:4:7: model.layers[0] (Conv2D): kernel 29x29 is larger than the input 28x28 with 'valid' padding"
        },
        {
            "an input shape the images do not have",
            Config("[100]", ["Dense: {units: 10, activation: softmax}"]),
            "run.yaml: the model takes 100 values per sample but the data has 28×28 = 784; set model.input_shape to " +
                "match the data"
        },
        {
            "outputs other than the classes",
            Config("[784]", ["Dense: {units: 5, activation: softmax}"]),
            "run.yaml: the model's output is (5,) but the data has 10 classes; the last layer should be Dense(10)"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_in_one_paragraph_and_leaves_no_run_folder(string what, string config, string expected)
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"), config);
        var result = GpunetProcess.Run(_folder, "train", "run.yaml", "--data", TestData.MnistDirectory, "--runs",
            "runs");

        Assert.True(result.ExitCode == 2, $"{what}: exit code {result.ExitCode}\n{result.Error}");
        string error = result.Error.Trim();
        Assert.Single(error.Split('\n'));
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
        Assert.False(Directory.Exists(Path.Combine(_folder, "runs"))
            && Directory.EnumerateFileSystemEntries(Path.Combine(_folder, "runs")).Any(),
            $"{what}: a run folder was left behind");
    }

    [Fact]
    public void Summary_of_a_model_past_an_int_is_refused_the_same_way()
    {
        File.WriteAllText(Path.Combine(_folder, "run.yaml"),
            Config("[784]", ["Dense: {units: 3000000}", "Dense: {units: 10}"]));
        var result = GpunetProcess.Run(_folder, "summary", "run.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("model.layers[0] (Dense): its kernel of shape (784, 3000000) would hold 2,352,000,000 weights",
            result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
