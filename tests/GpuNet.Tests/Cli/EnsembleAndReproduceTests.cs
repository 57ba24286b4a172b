using GpuNet.Tests.Data;

namespace GpuNet.Tests.Cli;

/// <summary>Ensembles, transformed test sets and the lecture suite through the gpunet tool.</summary>
public sealed class EnsembleAndReproduceTests : IDisposable
{
    private const string Network = """
        dataset: mnist
        model: {input_shape: [28, 28], layers: [Flatten, Dense: {units: 16, activation: relu},
            Dense: {units: 10, activation: softmax}]}
        loss: categorical_crossentropy
        optimizer: {Adam: {lr: 0.003}}
        batch_size: 50
        training_range: [0, 1000]
        validation_data: none
        seed: 1
        """;

    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Ensemble_trains_each_member_with_its_own_seed_and_reports_every_accuracy_and_the_vote()
    {
        File.WriteAllText(_folder.File("ensemble.yaml"), Network + """

            name: ensemble
            epochs: 1
            augmentation: {transforms: [RandomShift: {pixels: 1}]}
            ensemble: {members: 3, vote: majority}
            rotated_test: [20]
            test_time_augmentation: {rotations: [-10, 0, 10]}
            """);

        var result = GpunetProcess.Run(_folder.Path, "train", "ensemble.yaml", "--data", TestData.MnistDirectory);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("seed 1", result.Output);
        Assert.Contains("seed 3", result.Output);
        Assert.Contains("Performance (testing, rotated by 20°)", result.Output);
        Assert.Contains("Performance (testing, averaged over rotations -10°, 0°, 10°)", result.Output);
        string run = Directory.GetDirectories(Path.Combine(_folder.Path, "runs")).Single();
        Assert.Equal(["member-1", "member-2", "member-3"],
            Directory.GetDirectories(run).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetDirectories(run), m => Assert.True(File.Exists(Path.Combine(m, "report.html"))));
        string summary = File.ReadAllText(Path.Combine(run, "ensemble.md"));
        Assert.Matches(@"\| member-3 \| 3 \| 1 \| [0-9.]+ \| [0-9.]+ % \| [0-9.]+ % \|", summary);
        Assert.Matches(@"\| \*\*ensemble\*\* \| \| \| [0-9.]+ \| \*\*[0-9.]+ %\*\* \|", summary);
        Assert.Contains("rotated by 20°", File.ReadAllText(Path.Combine(run, "member-1", "report.html")));
        var report = GpunetProcess.Run(_folder.Path, "report", run, "--data", TestData.MnistDirectory);
        Assert.Equal(2, report.ExitCode);
        Assert.Contains("is an ensemble's run folder; each member has its own report", report.Error);
    }

    [Fact]
    public void Reproduce_runs_the_suite_in_order_and_writes_the_table_with_capped_epochs()
    {
        string suite = _folder.Folder("lectures");
        File.WriteAllText(Path.Combine(suite, "01-first.yaml"),
            Network + "\nname: first\nepochs: 3\nlecture: {accuracy: 0.9, epochs: 3}\n");
        File.WriteAllText(Path.Combine(suite, "02-second.yaml"), Network + "\nname: second\nepochs: 1\n");

        var result = GpunetProcess.Run(_folder.Path, "reproduce", suite, "--max-epochs", "2", "--data",
            TestData.MnistDirectory, "--output", "out");

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        string table = File.ReadAllText(Path.Combine(_folder.Path, "out", "reproduce.md"));
        Assert.Matches(@"\| first \| 90\.00 % \(3 ep\.\) \| \*\*[0-9.]+ %\*\* \| 2 of 3 \| \d+ \| capped at 2 of 3 " +
            @"epochs \|", table);
        Assert.Matches(@"\| second \| — \| \*\*[0-9.]+ %\*\* \| 1 \| \d+ \|  \|", table);
        Assert.True(table.IndexOf("| first |", StringComparison.Ordinal) < table.IndexOf("| second |",
            StringComparison.Ordinal));
        Assert.StartsWith("experiment,lecture_accuracy,accuracy,epochs_run,epochs_configured,seconds,note\nfirst,0.9,",
            File.ReadAllText(Path.Combine(_folder.Path, "out", "reproduce.csv")));
    }

    [Fact]
    public void Reproduce_checks_every_config_before_training_any()
    {
        string suite = _folder.Folder("bad");
        File.WriteAllText(Path.Combine(suite, "01-good.yaml"), Network + "\nname: good\nepochs: 1\n");
        File.WriteAllText(Path.Combine(suite, "02-bad.yaml"),
            Network + "\nname: bad\nepochs: 1\nensemble: {members: 2, vote: loudest}\n");

        var result = GpunetProcess.Run(_folder.Path, "reproduce", suite, "--data", TestData.MnistDirectory);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("02-bad.yaml:", result.Error);
        Assert.Contains("expected majority or mean, got 'loudest'", result.Error);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "runs")));
    }
}
