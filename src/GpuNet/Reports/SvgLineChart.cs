using System.Globalization;
using System.Text;

namespace GpuNet.Reports;

/// <summary>
/// A line chart as a standalone SVG document: axes with round-numbered ticks (decades on a
/// logarithmic axis), one polyline with point markers per series, and a legend. Points that
/// cannot be drawn (NaN, infinities, values ≤ 0 on a log axis) are left out rather than
/// bending the scale.
/// </summary>
public sealed class SvgLineChart
{
    // Colour-blind-safe (Okabe–Ito), in the order lines are most often told apart.
    private static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
        "#000000", "#F0E442", "#999999"];

    private const int Width = 600, Height = 340, Left = 64, Right = 170, Top = 36, Bottom = 48;

    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    public bool LogarithmicY { get; init; }

    public required IReadOnlyList<ChartSeries> Series { get; init; }

    /// <summary>The points that can be drawn on this chart's axes.</summary>
    public IEnumerable<(double X, double Y)> Drawable(ChartSeries series) =>
        series.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogarithmicY || p.Y > 0));

    public string Render()
    {
        var all = Series.SelectMany(Drawable).ToList();
        var (xMin, xMax) = Range(all.Select(p => p.X), padIfFlat: 1);
        var xTicks = LinearTicks(xMin, xMax, integersOnly: all.All(p => p.X == Math.Round(p.X)));
        (xMin, xMax) = (Math.Min(xMin, xTicks[0]), Math.Max(xMax, xTicks[^1]));
        double[] yTicks;
        double yMin, yMax;
        if (LogarithmicY)
        {
            var (low, high) = Range(all.Select(p => Math.Log10(p.Y)), padIfFlat: 0.5);
            (yMin, yMax) = (Math.Floor(low), Math.Ceiling(high));
            yTicks = LogTicks(yMin, yMax);
        }
        else
        {
            (yMin, yMax) = Range(all.Select(p => p.Y), padIfFlat: 0.5);
            yTicks = LinearTicks(yMin, yMax, integersOnly: false);
            (yMin, yMax) = (Math.Min(yMin, yTicks[0]), Math.Max(yMax, yTicks[^1]));
        }

        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) =>
            Top + plotHeight - ((LogarithmicY ? Math.Log10(y) : y) - yMin) / (yMax - yMin) * plotHeight;
        double YOfTick(double t) => Top + plotHeight - (t - yMin) / (yMax - yMin) * plotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 " +
                $"{Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Html.Escape(Title)}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Left}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Html.Escape(Title)}</text>\n");
        foreach (double t in xTicks)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{X(t):0.#}\" y1=\"{Top}\" x2=\"{X(t):0.#}\" y2=\"{Top
                    + plotHeight}\" stroke=\"#e4e4e4\"/>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{X(t):0.#}\" y=\"{Top + plotHeight
                    + 16}\" text-anchor=\"middle\">{FormatTick(t)}</text>\n");
        }
        foreach (double t in yTicks)
        {
            string label = LogarithmicY ? LogLabel(t) : FormatTick(t);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Left}\" y1=\"{YOfTick(t):0.#}\" x2=\"{Left
                    + plotWidth}\" y2=\"{YOfTick(t):0.#}\" stroke=\"#e4e4e4\"/>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Left - 6}\" y=\"{YOfTick(t) + 4:0.#}\" text-anchor=\"end\">{label}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" " +
                $"stroke=\"#444444\"/>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Left
                + plotWidth / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">{Html.Escape(XLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text transform=\"translate(16 {Top
                + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{Html.Escape(YLabel)}</text>\n");

        for (int s = 0; s < Series.Count; s++)
        {
            ChartSeries series = Series[s];
            string color = Palette[(series.ColorIndex ?? s) % Palette.Length];
            string dash = series.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            var points = Drawable(series).ToList();
            string path = string.Join(" ",
                points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X):0.##},{Y(p.Y):0.##}")));
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"series\" data-name=\"{Html.Escape(series.Name)}\">\n");
            if (points.Count > 1)
                svg.Append(CultureInfo.InvariantCulture,
                    $"<polyline points=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
            foreach (var p in points)
                svg.Append(CultureInfo.InvariantCulture,
                    $"<circle cx=\"{X(p.X):0.##}\" cy=\"{Y(p.Y):0.##}\" r=\"2.5\" fill=\"{color}\"/>\n");
            svg.Append("</g>\n");

            double legendY = Top + 8 + s * 18;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Left + plotWidth + 12}\" y1=\"{legendY}\" x2=\"{Left + plotWidth
                    + 36}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Left + plotWidth + 42}\" y=\"{legendY + 4}\">{Html.Escape(series.Name)}</text>\n");
        }
        if (all.Count == 0)
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Left + plotWidth / 2}\" y=\"{Top
                    + plotHeight / 2}\" text-anchor=\"middle\" fill=\"#888888\">no values to draw</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static (double Min, double Max) Range(IEnumerable<double> values, double padIfFlat)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values) (min, max) = (Math.Min(min, v), Math.Max(max, v));
        if (min > max) return (0, 1);
        return max - min < 1e-12 ? (min - padIfFlat, max + padIfFlat) : (min, max);
    }

    /// <summary>About five ticks at 1, 2 or 5 times a power of ten, covering [min, max].</summary>
    internal static double[] LinearTicks(double min, double max, bool integersOnly)
    {
        double rough = (max - min) / 5;
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(f => f * power).First(s => s >= rough);
        if (integersOnly) step = Math.Max(1, Math.Round(step));
        double first = Math.Floor(min / step) * step, last = Math.Ceiling(max / step) * step;
        int count = (int)Math.Round((last - first) / step) + 1;
        return Enumerable.Range(0, count).Select(i => Math.Round(first + i * step, 10)).ToArray();
    }

    /// <summary>Ticks in log10 units: every decade, and 2× and 5× between them when the axis spans no more than two
    /// decades.</summary>
    internal static double[] LogTicks(double lowDecade, double highDecade)
    {
        var ticks = new List<double>();
        for (int e = (int)lowDecade; e <= (int)highDecade; e++)
        {
            ticks.Add(e);
            if (highDecade - lowDecade <= 2 && e < highDecade) ticks.AddRange([e + Math.Log10(2), e + Math.Log10(5)]);
        }
        return ticks.ToArray();
    }

    private static string LogLabel(double log10)
    {
        double decade = Math.Floor(log10 + 1e-9);
        double mantissa = Math.Round(Math.Pow(10, log10 - decade));
        string power = "1e" + decade.ToString("0", CultureInfo.InvariantCulture);
        return mantissa == 1 ? power : mantissa.ToString("0", CultureInfo.InvariantCulture) + power[1..];
    }

    private static string FormatTick(double value) =>
        Math.Abs(value) >= 1e5 || (value != 0 && Math.Abs(value) < 1e-3)
            ? value.ToString("0.#e0", CultureInfo.InvariantCulture)
            : value.ToString("0.####", CultureInfo.InvariantCulture);
}
