using System.Xml.Linq;
using GpuNet.Benchmarks;
using GpuNet.Reports;
using GpuNet.Tests.Data;
using GpuNet.Training;

namespace GpuNet.Tests.Reports;

public sealed class BenchReportTests
{
    private static NetworkBenchmarkResult Result(string name, int depth, double seconds, float accuracy) =>
        new(name, 1000, 1, seconds, 60000 / seconds, accuracy,
            Enumerable.Range(0, depth).Select(i =>
                new LayerGradientNorm($"dense_{i}", MathF.Pow(10, i - depth))).ToList(),
            Enumerable.Range(0, depth).Select(i => new LayerGradientNorm($"dense_{i}", 0.5f)).ToList());

    private static readonly NetworkBenchmarkResult[] Suite =
    [
        Result("mlp-256x2-relu", 3, 2.3, 0.94f), Result("mlp-256x8-relu", 9, 5.8, 0.95f),
        Result("mlp-256x2-sigmoid", 3, 2.2, 0.81f), Result("mlp-256x8-sigmoid", 9, 5.6, 0.096f),
        Result("mlp-256x8-sigmoid-bn", 9, 8.6, 0.95f), Result("cnn-2x32-dense512", 5, 41, 0.986f),
    ];

    [Fact]
    public void Networks_that_differ_only_in_depth_share_a_line()
    {
        Assert.Equal("mlp-256×n-relu", BenchReportWriter.Family(Suite[0], Suite));
        Assert.Equal("mlp-256×n-relu", BenchReportWriter.Family(Suite[1], Suite));
        Assert.Equal("mlp-256×n-sigmoid", BenchReportWriter.Family(Suite[3], Suite));
        Assert.Equal("mlp-256x8-sigmoid-bn", BenchReportWriter.Family(Suite[4], Suite));
        Assert.Equal("cnn-2x32-dense512", BenchReportWriter.Family(Suite[5], Suite));
        Assert.Equal(9, BenchReportWriter.Depth(Suite[1]));
    }

    [Fact]
    public void Report_has_the_charts_against_depth_and_one_gradient_line_per_network()
    {
        using var folder = new TemporaryDirectory();

        string page = BenchReportWriter.Write(folder.Path, Suite, "test machine", "cpu");

        string html = File.ReadAllText(page);
        foreach (string id in new[] { "depth", "gradient-norms", "results" }) Assert.Contains($"id=\"{id}\"", html);
        XNamespace svg = "http://www.w3.org/2000/svg";
        var accuracy = XElement.Parse(File.ReadAllText(Path.Combine(folder.Path, "report", "accuracy.svg")));
        Assert.Equal(["mlp-256×n-relu", "mlp-256×n-sigmoid", "mlp-256x8-sigmoid-bn", "cnn-2x32-dense512"],
            accuracy.Elements(svg + "g").Select(g => g.Attribute("data-name")!.Value));
        var norms = XElement.Parse(File.ReadAllText(Path.Combine(folder.Path, "report",
            "gradient-norms-first-epoch.svg")));
        Assert.Equal(Suite.Select(r => r.Name), norms.Elements(svg + "g").Select(g => g.Attribute("data-name")!.Value));
        Assert.Equal(9,
            norms.Elements(svg + "g").Single(g => g.Attribute("data-name")!.Value == "mlp-256x8-sigmoid").Elements(svg
                + "circle").Count());
        // One epoch each: the last epoch's norms are the first's, so no second chart.
        Assert.False(File.Exists(Path.Combine(folder.Path, "report", "gradient-norms-last-epoch.svg")));
    }
}
