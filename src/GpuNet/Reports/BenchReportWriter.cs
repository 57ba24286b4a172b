using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GpuNet.Benchmarks;
using GpuNet.Serialization;

namespace GpuNet.Reports;

/// <summary>
/// The deep-versus-shallow benchmark as a page: seconds per epoch and test accuracy against
/// depth, and each network's gradient norm layer by layer, written as report.html (self-contained)
/// with the charts also as .svg files in report/.
/// </summary>
public static partial class BenchReportWriter
{
    /// <returns>The path of report.html.</returns>
    public static string Write(string outputFolder, IReadOnlyList<NetworkBenchmarkResult> results, string machine,
        string accelerator)
    {
        string assets = Path.Combine(outputFolder, RunReportWriter.AssetFolder);
        Directory.CreateDirectory(assets);
        // Each chart is drawn once: the same SVG goes into its file and into the page.
        var charts = Charts(results).Select(c => (c.File, Svg: c.Chart.Render())).ToList();
        foreach (var (file, svg) in charts) AtomicFile.WriteAllText(Path.Combine(assets, file), svg);

        var html = new StringBuilder(Html.PageStart("Deep versus shallow — GpuNet benchmark"));
        html.Append("<h1>Deep versus shallow</h1>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p class=\"muted\">{results.Count} networks on " +
                $"{Html.Escape(accelerator)} · {Html.Escape(machine)}</p>\n");
        html.Append("<section id=\"depth\">\n<h2>Time and accuracy against depth</h2>\n");
        html.Append("<p class=\"muted\">Depth counts the layers with weights. Networks that differ only in depth " +
            "share a line.</p>\n<div class=\"figures\">\n");
        foreach (var (_, svg) in charts.Take(2)) html.Append(svg);
        html.Append("</div>\n</section>\n");
        html.Append("<section id=\"gradient-norms\">\n<h2>Gradient norm of each layer</h2>\n");
        html.Append("<p class=\"muted\">‖∂loss/∂W‖ per layer, first layer left: in deep sigmoid networks it " +
            "shrinks by orders of magnitude towards the input — the vanishing gradient — and batch norm or " +
                "ReLU keep it level.</p>\n<div class=\"figures\">\n");
        foreach (var (_, svg) in charts.Skip(2)) html.Append(svg);
        html.Append("</div>\n</section>\n");
        html.Append(Table(results));
        html.Append(Html.PageEnd);
        string page = Path.Combine(outputFolder, RunReportWriter.PageFile);
        AtomicFile.WriteAllText(page, html.ToString());
        return page;
    }

    /// <summary>The layers with weights: one gradient norm each.</summary>
    public static int Depth(NetworkBenchmarkResult result) => result.FirstEpochGradientNorms.Count;

    /// <summary>
    /// The line a network belongs on: its name with the repeat count of "256x8" taken out, when
    /// other networks of the suite differ from it only there (mlp-256x2-relu and mlp-256x8-relu
    /// share "mlp-256×n-relu"); otherwise its own name.
    /// </summary>
    public static string Family(NetworkBenchmarkResult result, IReadOnlyList<NetworkBenchmarkResult> all)
    {
        string family = RepeatCount().Replace(result.Name, "$1×n", 1);
        bool shared = family != result.Name && all.Count(r => RepeatCount().Replace(r.Name, "$1×n", 1) == family) > 1;
        return shared ? family : result.Name;
    }

    private static List<(string File, SvgLineChart Chart)> Charts(IReadOnlyList<NetworkBenchmarkResult> results)
    {
        var families = results.GroupBy(r => Family(r, results)).ToList();
        List<ChartSeries> ByDepth(Func<NetworkBenchmarkResult, double> value) => families
            .Select((f, i) =>
                new ChartSeries(f.Key, f.OrderBy(Depth).Select(r => ((double)Depth(r), value(r))).ToList(),
                    ColorIndex: i)).ToList();
        var charts = new List<(string File, SvgLineChart Chart)>
        {
            ("seconds-per-epoch.svg",
                new SvgLineChart { Title = "Seconds per epoch against depth", XLabel = "layers with weights",
                    YLabel = "seconds per epoch", Series = ByDepth(r => r.SecondsPerEpoch) }),
            ("accuracy.svg",
                new SvgLineChart { Title = "Test accuracy against depth", XLabel = "layers with weights",
                    YLabel = "test accuracy", Series = ByDepth(r => r.TestAccuracy) }),
        };
        bool severalEpochs = results.Any(r => r.Epochs > 1);
        List<ChartSeries> Norms(Func<NetworkBenchmarkResult, IReadOnlyList<Training.LayerGradientNorm>> norms) =>
            results
            .Select((r, i) =>
                new ChartSeries(r.Name, norms(r).Select((g, layer) => ((double)(layer + 1), (double)g.Norm)).ToList(),
                    ColorIndex: i)).ToList();
        charts.Add(("gradient-norms-first-epoch.svg", new SvgLineChart
        {
            Title = severalEpochs ? "Gradient norm per layer, first epoch" : "Gradient norm per layer",
            XLabel = "layer (1 = nearest the input)",
            YLabel = "gradient norm (log scale)",
            LogarithmicY = true,
            Series = Norms(r => r.FirstEpochGradientNorms),
        }));
        if (severalEpochs)
            charts.Add(("gradient-norms-last-epoch.svg", new SvgLineChart
            {
                Title = "Gradient norm per layer, last epoch",
                XLabel = "layer (1 = nearest the input)",
                YLabel = "gradient norm (log scale)",
                LogarithmicY = true,
                Series = Norms(r => r.LastEpochGradientNorms),
            }));
        return charts;
    }

    private static string Table(IReadOnlyList<NetworkBenchmarkResult> results)
    {
        var html = new StringBuilder("<section id=\"results\">\n<h2>Results</h2>\n<table>\n");
        html.Append("<tr><th class=\"text\">network</th><th>depth</th><th>parameters</th><th>epochs</th>" +
            "<th>s/epoch</th><th>samples/s</th><th>test accuracy</th>" +
            "<th class=\"text\">‖∇W‖ per layer, first epoch</th><th class=\"text\">last epoch</th></tr>\n");
        foreach (var r in results)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">{Html.Escape(r.Name)}</td><td>{Depth(r)}</td><td>{r.Parameters:N0}</td>" +
                $"<td>{r.Epochs}</td><td>{r.SecondsPerEpoch:0.00}</td><td>{r.SamplesPerSecond:N0}</td>" +
                $"<td>{r.TestAccuracy:P2}</td>");
            html.Append(CultureInfo.InvariantCulture,
                $"<td class=\"text\">{NetworkBenchmark.Norms(r.FirstEpochGradientNorms)}</td><td " +
                    $"class=\"text\">{NetworkBenchmark.Norms(r.LastEpochGradientNorms)}</td></tr>\n");
        }
        return html.Append("</table>\n</section>\n").ToString();
    }

    // "256x8": 256 units, 8 times; the count is what differs between a deep and a shallow variant.
    [GeneratedRegex(@"(\d+)x\d+")]
    private static partial Regex RepeatCount();
}
