using System.Globalization;
using System.Xml.Linq;
using GpuNet.Reports;

namespace GpuNet.Tests.Reports;

public sealed class SvgLineChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XElement Render(SvgLineChart chart) => XElement.Parse(chart.Render());

    private static List<(double X, double Y)> Points(XElement series) =>
        series.Elements(Svg + "circle").Select(c =>
            (double.Parse(c.Attribute("cx")!.Value, CultureInfo.InvariantCulture),
                double.Parse(c.Attribute("cy")!.Value, CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public void Every_series_is_a_polyline_with_a_marker_per_point_and_a_legend_entry()
    {
        var chart = new SvgLineChart
        {
            Title = "Loss & <accuracy>", XLabel = "epoch", YLabel = "loss",
            Series = [new("training", [(1, 0.9), (2, 0.5), (3, 0.3)]),
                new("validation", [(1, 1.0), (2, 0.7), (3, 0.6)], Dashed: true)],
        };

        XElement svg = Render(chart);

        var groups = svg.Elements(Svg + "g").ToList();
        Assert.Equal(["training", "validation"], groups.Select(g => g.Attribute("data-name")!.Value));
        Assert.All(groups, g => Assert.Equal(3, Points(g).Count));
        Assert.Equal(3, groups[1].Element(Svg + "polyline")!.Attribute("points")!.Value.Split(' ').Length);
        Assert.NotNull(groups[1].Element(Svg + "polyline")!.Attribute("stroke-dasharray"));
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "Loss & <accuracy>");
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "validation");
    }

    [Fact]
    public void Larger_values_are_drawn_higher_and_later_epochs_further_right()
    {
        var chart = new SvgLineChart { Title = "t", XLabel = "x", YLabel = "y",
            Series = [new("s", [(1, 0.9), (2, 0.5), (3, 0.3)])] };
        var points = Points(Render(chart).Element(Svg + "g")!);
        Assert.True(points[0].X < points[1].X && points[1].X < points[2].X);
        Assert.True(points[0].Y < points[1].Y && points[1].Y < points[2].Y); // SVG's y grows downwards
    }

    [Fact]
    public void Logarithmic_axis_spaces_decades_evenly_and_leaves_out_what_it_cannot_draw()
    {
        var chart = new SvgLineChart
        {
            Title = "t", XLabel = "layer", YLabel = "norm", LogarithmicY = true,
            Series = [new("s", [(1, 1e-5), (2, 1e-4), (3, 1e-3), (4, 0), (5, double.NaN), (6, 1e-2)])],
        };

        XElement svg = Render(chart);

        var points = Points(svg.Element(Svg + "g")!);
        Assert.Equal(4, points.Count);
        double step1 = points[0].Y - points[1].Y, step2 = points[1].Y - points[2].Y, step3 = points[2].Y - points[3].Y;
        Assert.True(step1 > 1);
        Assert.Equal(step1, step2, 0.05);
        Assert.Equal(step1, step3, 0.05);
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "1e-5");
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "1e-2");
    }

    [Fact]
    public void A_single_point_and_an_empty_chart_still_render()
    {
        var one = new SvgLineChart { Title = "t", XLabel = "x", YLabel = "y", Series = [new("s", [(1, 0.5)])] };
        Assert.Single(Points(Render(one).Element(Svg + "g")!));
        var none = new SvgLineChart { Title = "t", XLabel = "x", YLabel = "y", Series = [] };
        Assert.Contains(Render(none).Elements(Svg + "text"), t => t.Value == "no values to draw");
    }

    [Fact]
    public void A_log_axis_of_one_decade_gets_ticks_at_two_and_five_times()
    {
        var chart = new SvgLineChart { Title = "t", XLabel = "x", YLabel = "y", LogarithmicY = true,
            Series = [new("s", [(1, 0.15), (2, 0.8)])] };
        var labels = Render(chart).Elements(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("1e-1", labels);
        Assert.Contains("2e-1", labels);
        Assert.Contains("5e-1", labels);
        Assert.Contains("1e0", labels);
        Assert.Equal([-1, -1 + Math.Log10(2), -1 + Math.Log10(5), 0], SvgLineChart.LogTicks(-1, 0));
        Assert.Equal(6, SvgLineChart.LogTicks(-5, 0).Length); // wide axes: decades only
    }

    [Theory]
    [InlineData(0.0, 1.0, false, 0.0, 1.0)]
    [InlineData(0.83, 0.97, false, 0.8, 1.0)]
    [InlineData(1, 20, true, 0, 20)]
    [InlineData(1, 3, true, 1, 3)]
    public void Ticks_are_round_numbers_that_cover_the_range(double min, double max, bool integers, double first,
        double last)
    {
        double[] ticks = SvgLineChart.LinearTicks(min, max, integers);
        Assert.Equal(first, ticks[0], 9);
        Assert.Equal(last, ticks[^1], 9);
        Assert.InRange(ticks.Length, 3, 11);
        if (integers) Assert.All(ticks, t => Assert.Equal(Math.Round(t), t));
    }
}
