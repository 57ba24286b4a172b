using System.Globalization;
using System.Text;
using GpuNet.Serialization;
using GpuNet.Training;

namespace GpuNet.Reports;

/// <summary>
/// Writes a run's report into its folder: report.html, one self-contained page (charts inline
/// as SVG, pictures as PNG data URIs) that opens offline in any browser, and beside it in
/// report/ the same charts as .svg files, the pictures as .png files and the confusion matrix as CSV.
/// </summary>
public static class RunReportWriter
{
    public const string PageFile = "report.html";

    public const string AssetFolder = "report";

    /// <summary>Each misclassified digit is shown at three times its size.</summary>
    private const int DigitScale = 3;

    /// <returns>The path of report.html.</returns>
    public static string Write(string runFolder, RunReport report)
    {
        string assets = Path.Combine(runFolder, AssetFolder);
        Directory.CreateDirectory(assets);
        // Each chart is drawn once: the same SVG goes into its file and into the page.
        var charts = Charts(report).Select(c => (c.File, Svg: c.Chart.Render())).ToList();
        foreach (var (file, svg) in charts) AtomicFile.WriteAllText(Path.Combine(assets, file), svg);

        byte[]? misclassifiedGrid = report.MisclassifiedImages.Count == 0 ? null
            : PngEncoder.Encode(RasterImage.Grid(report.MisclassifiedImages, columns: 10, gap: 2, background: 128));
        if (misclassifiedGrid is not null)
            AtomicFile.Write(Path.Combine(assets, "misclassified.png"), s => s.Write(misclassifiedGrid));
        RasterImage? firstLayerPicture = report.FirstLayer is { } first ? FirstLayerGrid(first) : null;
        byte[]? firstLayerPng = firstLayerPicture is null ? null : PngEncoder.Encode(firstLayerPicture);
        if (firstLayerPng is not null)
            AtomicFile.Write(Path.Combine(assets, "first-layer.png"), s => s.Write(firstLayerPng));
        AtomicFile.WriteAllText(Path.Combine(assets, "confusion-matrix.csv"), ConfusionCsv(report.Confusion));

        string page = Path.Combine(runFolder, PageFile);
        AtomicFile.WriteAllText(page, Page(report, charts, firstLayerPng, firstLayerPicture?.Width ?? 0));
        return page;
    }

    /// <summary>First-layer pictures enlarged to about 48 pixels a side, eight to a row.</summary>
    private static RasterImage FirstLayerGrid(FirstLayerWeights weights)
    {
        int factor = Math.Max(1, 48 / Math.Max(weights.TileWidth, weights.TileHeight));
        return RasterImage.Grid(weights.Tiles.Select(t => t.Enlarged(factor)).ToList(), columns: 8, gap: 4,
            background: 255);
    }

    private static List<(string File, SvgLineChart Chart)> Charts(RunReport report)
    {
        var epochs = report.Epochs;
        bool validated = epochs.Any(e => e.ValidationLoss is not null);
        ChartSeries Line(string name, Func<EpochLogs, float?> value, bool dashed, int color) =>
            new(name,
                epochs.Where(e => value(e) is not null).Select(e => ((double)e.Epoch,
                    (double)value(e)!.Value)).ToList(), dashed, color);
        List<ChartSeries> Pair(string what, Func<EpochLogs, float?> train, Func<EpochLogs, float?> validation) =>
            validated ? [Line($"training {what}", train, false, 0), Line($"validation {what}", validation, true, 1)]
                : [Line($"training {what}", train, false, 0)];

        var layers = epochs.SelectMany(e => e.GradientNorms.Select(g => g.Layer)).Distinct().ToList();
        return
        [
            ("loss.svg",
                new SvgLineChart { Title = "Loss per epoch", XLabel = "epoch", YLabel = "loss",
                    Series = Pair("loss", e => e.Loss, e => e.ValidationLoss) }),
            ("accuracy.svg",
                new SvgLineChart { Title = "Accuracy per epoch", XLabel = "epoch", YLabel = "accuracy",
                    Series = Pair("accuracy", e => e.Accuracy, e => e.ValidationAccuracy) }),
            ("gradient-norms.svg", new SvgLineChart
            {
                Title = "‖∂loss/∂W‖ of each layer (RMS over the epoch's steps)",
                XLabel = "epoch",
                YLabel = "gradient norm (log scale)",
                LogarithmicY = true,
                Series = layers.Select((layer, i) => new ChartSeries(layer,
                    epochs.SelectMany(e =>
                        e.GradientNorms.Where(g => g.Layer == layer).Select(g => ((double)e.Epoch,
                            (double)g.Norm))).ToList(), ColorIndex: i)).ToList(),
            }),
        ];
    }

    private static string Page(RunReport report, List<(string File, string Svg)> charts, byte[]? firstLayerPng,
        int firstLayerWidth)
    {
        var html = new StringBuilder(Html.PageStart($"{report.Name} — GpuNet report"));
        var epochs = report.Epochs;
        double seconds = epochs.Sum(e => e.Seconds);
        html.Append(CultureInfo.InvariantCulture, $"<h1>{Html.Escape(report.Name)}</h1>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p class=\"muted\">{Html.Escape(report.Dataset)} · {epochs.Count} epochs · {seconds:0.0} s " +
                $"of training on {Html.Escape(report.Accelerator)} · " +
                $"{report.TrainableParameters:N0} trainable parameters</p>\n");

        html.Append("<section id=\"summary\">\n<h2>Final performance</h2>\n<table>\n<tr><th " +
            "class=\"text\">set</th><th>samples</th><th>loss</th><th>accuracy</th></tr>\n");
        foreach (var (set, result) in new[] { ("training", report.Training), ("testing", report.Testing) })
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">{set}</td><td>{result.SampleCount:N0}</td><td>{result.Loss:0.00000}</td>" +
                    $"<td><b>{result.Accuracy:P2}</b></td></tr>\n");
        foreach (var (degrees, result) in report.RotatedTests)
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">testing, rotated by " +
                    $"{degrees:0.#}°</td><td>{result.SampleCount:N0}</td><td>{result.Loss:0.00000}</td>" +
                    $"<td><b>{result.Accuracy:P2}</b></td></tr>\n");
        if (report.TestTimeAugmentation is { } tta)
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">testing, averaged over rotations {string.Join(", ",
                    tta.Rotations.Select(a => a.ToString("0.#", CultureInfo.InvariantCulture)
                        + "°"))}</td><td>{report.Testing.SampleCount:N0}</td><td></td>" +
                    $"<td><b>{tta.Accuracy:P2}</b></td></tr>\n");
        html.Append("</table>\n");
        if (epochs.Count > 0)
        {
            var last = epochs[^1];
            html.Append(CultureInfo.InvariantCulture,
                $"<p>Last epoch ({last.Epoch}): loss {last.Loss:0.0000}, accuracy {last.Accuracy:P2}");
            if (last.ValidationLoss is { } vl)
                html.Append(CultureInfo.InvariantCulture,
                    $", validation loss {vl:0.0000}, validation accuracy {last.ValidationAccuracy:P2}");
            html.Append(CultureInfo.InvariantCulture,
                $"; median {Benchmarks.Statistics.Median(epochs.Select(e => e.Seconds)):0.00} s per epoch.</p>\n");
        }
        html.Append("</section>\n");

        html.Append("<section id=\"curves\">\n<h2>Loss and accuracy</h2>\n<div class=\"figures\">\n");
        foreach (var (_, svg) in charts.Take(2)) html.Append(svg);
        html.Append("</div>\n</section>\n");

        html.Append("<section id=\"gradient-norms\">\n<h2>Gradient norm of each layer</h2>\n");
        html.Append("<p class=\"muted\">In a deep sigmoid network the first layers' gradients are orders of magnitude "
            +
            "smaller than the last layers': they learn far more slowly.</p>\n");
        html.Append("<div class=\"figures\">\n").Append(charts[2].Svg).Append(GradientTable(epochs)).Append("</div>\n");
        html.Append("</section>\n");

        html.Append(ConfusionSection(report.Confusion));

        html.Append("<section id=\"first-layer\">\n<h2>First layer's weights</h2>\n");
        if (report.FirstLayer is { } first && firstLayerPng is not null)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p>{Html.Escape(first.Title)}. Mid-grey is 0, white the largest positive and black the largest " +
                    $"negative weight of each picture.</p>\n");
            html.Append(Html.InlinePng(firstLayerPng, first.Title, firstLayerWidth * 2));
        }
        else html.Append("<p class=\"muted\">The first layer with weights is neither a Conv2D nor a Dense layer on " +
            "whole images, so its weights are not pictures.</p>\n");
        html.Append("</section>\n");
        html.Append(MisclassifiedSection(report));

        html.Append("<section id=\"model\">\n<h2>Model</h2>\n<table>\n<tr><th class=\"text\">Layer (type)</th><th " +
            "class=\"text\">Output shape</th><th>Param #</th></tr>\n");
        foreach (var (name, shape, count) in report.Layers)
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">{Html.Escape(name)}</td><td " +
                    $"class=\"text\">{Html.Escape(shape)}</td><td>{count:N0}</td></tr>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<tr><th class=\"text\" colspan=\"2\">Total params</th><th>{report.TrainableParameters
                + report.NonTrainableParameters:N0}</th></tr>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<tr><td class=\"text\" colspan=\"2\">Trainable " +
                $"params</td><td>{report.TrainableParameters:N0}</td></tr>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<tr><td class=\"text\" colspan=\"2\">Non-trainable " +
                $"params</td><td>{report.NonTrainableParameters:N0}</td></tr>\n</table>\n");
        html.Append("</section>\n");

        html.Append("<section " +
            "id=\"history\">\n<h2>History</h2>\n<table>\n<tr><th>epoch</th><th>loss</th><th>accuracy</th>" +
            "<th>val_loss</th><th>val_accuracy</th><th>seconds</th><th>lr</th></tr>\n");
        foreach (var e in epochs)
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{e.Epoch}</td><td>{e.Loss:0.0000}</td><td>{e.Accuracy:0.0000}</td>" +
                $"<td>{e.ValidationLoss:0.0000}</td><td>{e.ValidationAccuracy:0.0000}</td><td>{e.Seconds:0.00}</td>" +
                $"<td>{e.LearningRate:G4}</td></tr>\n");
        html.Append("</table>\n</section>\n");

        html.Append(CultureInfo.InvariantCulture,
            $"<section id=\"config\">\n<h2>Config</h2>\n<pre>{Html.Escape(report.ConfigText)}</pre>\n</section>\n");
        html.Append(Html.PageEnd);
        return html.ToString();
    }

    private static string GradientTable(IReadOnlyList<EpochLogs> epochs)
    {
        if (epochs.Count == 0 || epochs[0].GradientNorms.Count == 0) return "";
        var html = new StringBuilder("<table>\n<tr><th class=\"text\">layer</th>");
        html.Append(CultureInfo.InvariantCulture, $"<th>epoch {epochs[0].Epoch}</th>");
        if (epochs.Count > 1) html.Append(CultureInfo.InvariantCulture, $"<th>epoch {epochs[^1].Epoch}</th>");
        html.Append("</tr>\n");
        foreach (var g in epochs[0].GradientNorms)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">{Html.Escape(g.Layer)}</td><td>{g.Norm:0.00e0}</td>");
            if (epochs.Count > 1)
                html.Append(CultureInfo.InvariantCulture,
                    $"<td>{epochs[^1].GradientNorms.FirstOrDefault(l => l.Layer == g.Layer)?.Norm:0.00e0}</td>");
            html.Append("</tr>\n");
        }
        return html.Append("</table>\n").ToString();
    }

    private static string ConfusionSection(ConfusionMatrix matrix)
    {
        int classes = matrix.ClassCount;
        int worst = 1;
        for (int a = 0; a < classes; a++)
            for (int p = 0; p < classes; p++)
                if (a != p) worst = Math.Max(worst, matrix[a, p]);
        var html = new StringBuilder("<section id=\"confusion-matrix\">\n<h2>Confusion matrix (test set)</h2>\n");
        html.Append("<p class=\"muted\">Rows: the true class; columns: the predicted one. Green shades the share of a "
            +
            "class classified right, red how common a mistake is.</p>\n");
        html.Append("<table>\n<tr><th>true \\ predicted</th>");
        for (int p = 0; p < classes; p++) html.Append(CultureInfo.InvariantCulture, $"<th>{p}</th>");
        html.Append("<th>samples</th><th>recall</th></tr>\n");
        for (int a = 0; a < classes; a++)
        {
            int total = matrix.RowTotal(a);
            html.Append(CultureInfo.InvariantCulture, $"<tr><th>{a}</th>");
            for (int p = 0; p < classes; p++)
            {
                int count = matrix[a, p];
                string shade = a == p
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"rgba(0,158,115,{(total == 0 ? 0 : 0.15 + 0.6 * count / (double)total):0.00})")
                    : string.Create(CultureInfo.InvariantCulture, $"rgba(213,94,0,{0.7 * count / worst:0.00})");
                html.Append(CultureInfo.InvariantCulture,
                    $"<td class=\"cm\" style=\"background:{shade}\">{count}</td>");
            }
            html.Append(CultureInfo.InvariantCulture,
                $"<td>{total}</td><td>{(total == 0 ? 0 : matrix[a, a] / (double)total):P1}</td></tr>\n");
        }
        return html.Append("</table>\n</section>\n").ToString();
    }

    private static string MisclassifiedSection(RunReport report)
    {
        var html = new StringBuilder("<section id=\"misclassified\">\n");
        string reading = report.OutputsAreProbabilities ? "probabilities" : "outputs";
        html.Append(CultureInfo.InvariantCulture,
            $"<h2>The first {report.Misclassified.Count} misclassified test images</h2>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p class=\"muted\">Each labelled true→predicted, with the test index and the two largest " +
                $"{reading}.</p>\n<div class=\"digits\">\n");
        for (int i = 0; i < report.Misclassified.Count; i++)
        {
            Misclassification m = report.Misclassified[i];
            RasterImage image = report.MisclassifiedImages[i];
            html.Append("<figure>");
            html.Append(Html.InlinePng(PngEncoder.Encode(image),
                $"test image {m.Index}: a {m.Label} taken for a {m.Predicted}", image.Width * DigitScale));
            html.Append(CultureInfo.InvariantCulture,
                $"<figcaption><b>{m.Label}→{m.Predicted}</b> <span " +
                    $"class=\"muted\">#{m.Index}</span><br>{m.Predicted}: {m.PredictedProbability:0.00} · " +
                    $"{m.RunnerUp}: {m.RunnerUpProbability:0.00}</figcaption>");
            html.Append("</figure>\n");
        }
        if (report.Misclassified.Count == 0) html.Append("<p>None: every test image was classified right.</p>\n");
        return html.Append("</div>\n</section>\n").ToString();
    }

    private static string ConfusionCsv(ConfusionMatrix matrix)
    {
        var csv = new StringBuilder("true\\predicted");
        for (int p = 0; p < matrix.ClassCount; p++) csv.Append(CultureInfo.InvariantCulture, $",{p}");
        csv.Append('\n');
        for (int a = 0; a < matrix.ClassCount; a++)
        {
            csv.Append(a.ToString(CultureInfo.InvariantCulture));
            for (int p = 0; p < matrix.ClassCount; p++) csv.Append(CultureInfo.InvariantCulture, $",{matrix[a, p]}");
            csv.Append('\n');
        }
        return csv.ToString();
    }
}
