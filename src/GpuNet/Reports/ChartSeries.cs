namespace GpuNet.Reports;

/// <summary>One line of a chart: a name for the legend and its points in data units.</summary>
/// <param name="Dashed">Drawn dashed, to pair with a solid line of the same colour (validation against
/// training).</param>
/// <param name="ColorIndex">The palette entry; by default the series' position in the chart.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false,
    int? ColorIndex = null);
