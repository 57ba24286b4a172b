using System.Xml.Linq;
using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Reports;
using GpuNet.Tests.Data;
using GpuNet.Tests.Training;
using GpuNet.Training;

namespace GpuNet.Tests.Reports;

/// <summary>A small CNN trained on real MNIST images, and the report written for it.</summary>
public sealed class TrainedReportFixture : IDisposable
{
    public const string Config = """
        name: report-cnn
        dataset: mnist
        model:
          input_shape: [28, 28]
          layers:
            - Conv2D: {filters: 6, kernel_size: 5, activation: relu}
            - MaxPooling2D: {pool_size: 2}
            - Flatten
            - Dense: {units: 10, activation: softmax}
        loss: categorical_crossentropy
        optimizer: {SGD: {lr: 0.1}}
        batch_size: 20
        epochs: 2
        seed: 1
        """;

    private readonly TemporaryDirectory _folder = new();

    public TrainedReportFixture()
    {
        RunConfig config = RunConfigReader.Read("report.yaml", Config);
        Train = MnistSubset.Train(2_000);
        Test = MnistSubset.Test(2_000);
        using var trainer = new Trainer(config.CreateModel(), config.Loss, config.CreateOptimizer(),
            new CpuAccelerator(), config.Seed);
        History history = trainer.Fit(Train, config.Epochs, config.BatchSize, Test);
        Report = RunReport.Collect(trainer, config, history.Epochs, Train, Test);
        Page = RunReportWriter.Write(Folder, Report);
    }

    public Dataset Train { get; }

    public Dataset Test { get; }

    public RunReport Report { get; }

    public string Folder => _folder.Path;

    public string Page { get; }

    public string Asset(string name) => Path.Combine(Folder, RunReportWriter.AssetFolder, name);

    public void Dispose() => _folder.Dispose();
}

public sealed class RunReportTests(TrainedReportFixture run) : IClassFixture<TrainedReportFixture>
{
    public static readonly string[] Sections = ["summary", "curves", "gradient-norms", "confusion-matrix",
        "misclassified", "first-layer", "model", "history", "config"];

    [Fact]
    public void Confusion_matrix_agrees_with_the_evaluated_accuracy()
    {
        ConfusionMatrix matrix = run.Report.Confusion;
        Assert.Equal(run.Test.Count, matrix.Total);
        Assert.Equal(run.Report.Testing.Accuracy, matrix.Correct / (float)matrix.Total, 1e-6f);
        for (int c = 0; c < 10; c++) Assert.Equal(run.Test.Labels.Count(l => l == c), matrix.RowTotal(c));
    }

    [Fact]
    public void The_first_hundred_mistakes_are_shown_in_test_order_with_their_images()
    {
        var wrong = run.Report.Misclassified;
        int mistakes = run.Report.Confusion.Total - run.Report.Confusion.Correct;
        Assert.Equal(Math.Min(RunReport.MisclassifiedShown, mistakes), wrong.Count);
        Assert.True(wrong.Count == RunReport.MisclassifiedShown,
            $"the model is expected to make at least 100 mistakes on 2,000 images, made {mistakes}");
        Assert.All(wrong, m => Assert.Equal(run.Test.Labels[m.Index], m.Label));
        Assert.All(wrong, m => Assert.NotEqual(m.Label, m.Predicted));
        Assert.All(wrong, m => Assert.True(m.PredictedProbability >= m.RunnerUpProbability));
        Assert.Equal(wrong.Select(m => m.Index).Order(), wrong.Select(m => m.Index));
        var firstImage = run.Report.MisclassifiedImages[0];
        Assert.Equal(RasterImage.FromUnitValues(run.Test.GetImage(wrong[0].Index), 28, 28).Pixels, firstImage.Pixels);
        Assert.True(run.Report.OutputsAreProbabilities);
    }

    [Fact]
    public void Png_files_decode_to_the_sizes_of_their_grids()
    {
        // 10 digits of 28 px per row with 2 px gaps: 10·28 + 11·2 = 302; 100 digits make 10 rows.
        PngDecoder.Image digits = PngDecoder.Decode(File.ReadAllBytes(run.Asset("misclassified.png")));
        Assert.Equal((302, 302, 1), (digits.Width, digits.Height, digits.Channels));
        // Six 5×5 filters enlarged 9 times (45 px) in one row with 4 px gaps: 6·45 + 7·4 = 298 by 45 + 8 = 53.
        PngDecoder.Image filters = PngDecoder.Decode(File.ReadAllBytes(run.Asset("first-layer.png")));
        Assert.Equal((298, 53, 1), (filters.Width, filters.Height, filters.Channels));
        Assert.Equal(6, run.Report.FirstLayer!.Tiles.Count);
        Assert.Contains("6 filters, 5×5", run.Report.FirstLayer.Title);
    }

    [Fact]
    public void Charts_are_svg_files_with_a_point_per_epoch()
    {
        XNamespace svg = "http://www.w3.org/2000/svg";
        var loss = XElement.Parse(File.ReadAllText(run.Asset("loss.svg")));
        Assert.Equal(["training loss", "validation loss"],
            loss.Elements(svg + "g").Select(g => g.Attribute("data-name")!.Value));
        Assert.All(loss.Elements(svg + "g"), g => Assert.Equal(2, g.Elements(svg + "circle").Count()));
        var norms = XElement.Parse(File.ReadAllText(run.Asset("gradient-norms.svg")));
        Assert.Equal(["conv2d", "dense"], norms.Elements(svg + "g").Select(g => g.Attribute("data-name")!.Value));
        XElement.Parse(File.ReadAllText(run.Asset("accuracy.svg")));
        Assert.StartsWith("true\\predicted,0,1,2", File.ReadAllText(run.Asset("confusion-matrix.csv")));
    }

    [Fact]
    public void Page_is_self_contained_and_has_every_section()
    {
        string html = File.ReadAllText(run.Page);
        foreach (string id in Sections) Assert.Contains($"<section id=\"{id}\">", html);
        Assert.Equal(RunReport.MisclassifiedShown, CountOf(html, "<figure>"));
        Assert.DoesNotContain("src=\"report/", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.Contains("name: report-cnn", html);
        Assert.Contains($"<b>{run.Report.Misclassified[0].Label}→{run.Report.Misclassified[0].Predicted}</b>", html);
    }

    [ChromiumFact]
    public void Chromium_renders_the_report_with_its_sections_pictures_and_charts()
    {
        string dom = Chromium.DumpDom(run.Page);
        foreach (string id in Sections) Assert.Contains($"id=\"{id}\"", dom);
        Assert.Equal(RunReport.MisclassifiedShown, CountOf(dom, "<figure>"));
        Assert.True(CountOf(dom, "<svg") >= 3);

        string screenshot = Path.Combine(run.Folder, "screenshot.png");
        Chromium.Screenshot(run.Page, screenshot, 1400, 3000);
        PngDecoder.Image image = PngDecoder.Decode(File.ReadAllBytes(screenshot));
        Assert.Equal((1400, 3000), (image.Width, image.Height));
        var (ink, dark, colours) = Inspect(image);
        long pixels = (long)image.Width * image.Height;
        // A blank page is all page background (#fafafa) or white; the report has text, tables,
        // charts in colour, and the black backgrounds of the misclassified digits.
        Assert.True(ink > pixels / 10, $"only {ink} of {pixels} pixels are neither background nor white");
        Assert.True(dark > 100 * 28 * 28, $"only {dark} near-black pixels: the digit images did not render");
        Assert.True(colours > 500, $"only {colours} distinct colours");
    }

    private static (long Ink, long Dark, int Colours) Inspect(PngDecoder.Image image)
    {
        long ink = 0, dark = 0;
        var colours = new HashSet<int>();
        for (int i = 0; i < image.Width * image.Height; i++)
        {
            int o = i * image.Channels;
            byte r = image.Pixels[o], g = image.Pixels[o + Math.Min(1, image.Channels - 1)],
                b = image.Pixels[o + Math.Min(2, image.Channels - 1)];
            bool background = r == g && g == b && (r == 0xFA || r == 0xFF);
            if (!background) ink++;
            if (r < 24 && g < 24 && b < 24) dark++;
            colours.Add(r << 16 | g << 8 | b);
        }
        return (ink, dark, colours.Count);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length,
            StringComparison.Ordinal)) count++;
        return count;
    }
}
