using GpuNet.Tests.Data;
using GpuNet.Tests.Reports;

namespace GpuNet.Tests.Cli;

/// <summary>Reports through the gpunet tool: written by every training run, rebuilt by gpunet report, and written by
/// gpunet bench.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private const string MlpConfig = """
        name: report-mlp
        dataset: mnist
        model: {input_shape: [28, 28], layers: [Flatten, Dense: {units: 16, activation: sigmoid},
            Dense: {units: 10, activation: softmax}]}
        loss: categorical_crossentropy
        optimizer: {SGD: {lr: 0.5}}
        batch_size: 20
        epochs: 1
        training_range: [0, 1000]
        seed: 3
        """;

    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string TrainedRun()
    {
        File.WriteAllText(_folder.File("run.yaml"), MlpConfig);
        var result = GpunetProcess.Run(_folder.Path, "train", "run.yaml", "--data", TestData.MnistDirectory);
        Assert.True(result.ExitCode == 0, result.Error);
        string run = Directory.GetDirectories(Path.Combine(_folder.Path, "runs")).Single();
        Assert.Contains($"Report: runs/{Path.GetFileName(run)}/report.html", result.Output);
        return run;
    }

    [Fact]
    public void Training_run_writes_its_report_and_gpunet_report_rebuilds_the_same_page()
    {
        string run = TrainedRun();
        string page = Path.Combine(run, "report.html");
        string written = File.ReadAllText(page);
        Assert.Contains("<section id=\"misclassified\">", written);
        // A Dense first layer on whole images: its units' weights are shown as 28×28 pictures.
        Assert.Contains("incoming weights of all 16 units, as 28×28 images", written);
        PngDecoder.Image weights = PngDecoder.Decode(File.ReadAllBytes(Path.Combine(run, "report", "first-layer.png")));
        // 16 pictures of 28 px enlarged once (48 / 28 = 1), 8 to a row with 4 px gaps: 8·28 + 9·4 = 260 by
        // 2·28 + 3·4 = 68.
        Assert.Equal((260, 68), (weights.Width, weights.Height));

        File.Delete(page);
        Directory.Delete(Path.Combine(run, "report"), recursive: true);
        var rebuilt = GpunetProcess.Run(_folder.Path, "report", run, "--data", TestData.MnistDirectory);

        Assert.True(rebuilt.ExitCode == 0, rebuilt.Error);
        Assert.Contains("weights.safetensors", rebuilt.Output);
        Assert.True(File.Exists(Path.Combine(run, "report", "misclassified.png")));
        // Same weights, same data, same arithmetic: the same figures, mistakes and pictures.
        Assert.Equal(Body(written), Body(File.ReadAllText(page)));
    }

    [Fact]
    public void Run_without_final_weights_is_reported_from_its_last_checkpoint()
    {
        string run = TrainedRun();
        File.Delete(Path.Combine(run, "weights.safetensors"));

        var result = GpunetProcess.Run(_folder.Path, "report", run, "--data", TestData.MnistDirectory);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("from the checkpoint of epoch 1", result.Output);
        Assert.Contains("<section id=\"confusion-matrix\">", File.ReadAllText(Path.Combine(run, "report.html")));
    }

    [Fact]
    public void Folders_that_are_not_finished_runs_are_refused_with_the_reason()
    {
        var missing = GpunetProcess.Run(_folder.Path, "report", "no-such-run");
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("error: no-such-run: run folder not found", missing.Error.Trim());

        string empty = _folder.Folder("empty-run");
        var noConfig = GpunetProcess.Run(_folder.Path, "report", empty);
        Assert.Equal(2, noConfig.ExitCode);
        Assert.Contains("config.yaml: not found", noConfig.Error);

        File.WriteAllText(Path.Combine(empty, "config.yaml"), MlpConfig);
        var noEpoch = GpunetProcess.Run(_folder.Path, "report", empty, "--data", TestData.MnistDirectory);
        Assert.Equal(2, noEpoch.ExitCode);
        Assert.Contains("holds neither weights.safetensors nor checkpoint.json", noEpoch.Error);
        Assert.DoesNotContain("   at ", noEpoch.Error);
    }

    [Fact]
    public void Bench_writes_a_report_of_its_suite()
    {
        string suite = _folder.Folder("suite");
        foreach (int depth in new[] { 1, 2 })
        {
            string hidden = string.Join(", ", Enumerable.Repeat("Dense: {units: 16, activation: sigmoid}", depth));
            File.WriteAllText(Path.Combine(suite, $"mlp-16x{depth}.yaml"), $$$"""
                name: mlp-16x{{{depth}}}-sigmoid
                dataset: mnist
                model: {input_shape: [784], layers: [{{{hidden}}}, Dense: {units: 10, activation: softmax}]}
                loss: categorical_crossentropy
                optimizer: {SGD: {lr: 0.5}}
                batch_size: 50
                epochs: 1
                training_range: [0, 1000]
                validation_data: none
                """);
        }

        var result = GpunetProcess.Run(_folder.Path, "bench", "--suite", suite, "--data", TestData.MnistDirectory,
            "--output", "out");

        Assert.True(result.ExitCode == 0, result.Error);
        string html = File.ReadAllText(Path.Combine(_folder.Path, "out", "report.html"));
        Assert.Contains("mlp-16×n-sigmoid", html);
        foreach (string chart in new[] { "seconds-per-epoch.svg", "accuracy.svg", "gradient-norms-first-epoch.svg" })
            Assert.True(File.Exists(Path.Combine(_folder.Path, "out", "report", chart)), chart);
    }

    // The page without its header line, which names the training time.
    private static string Body(string html) =>
        html[html.IndexOf("<section id=\"summary\">", StringComparison.Ordinal)..];
}
