using System.Globalization;

namespace GpuNet.Data.Augmentation;

/// <summary>
/// Rotation by an angle drawn uniformly from the union of the given ranges (the lecture's
/// +5°..+25° or −25°..−5°: big enough to teach something, never the unrotated image), bilinear,
/// background 0. A range is chosen in proportion to its width.
/// </summary>
public sealed class RandomRotation : ImageTransform
{
    public RandomRotation(IReadOnlyList<(double Low, double High)> rangesInDegrees)
    {
        if (rangesInDegrees.Count == 0)
            throw new GpuNetException("RandomRotation: 'ranges' needs at least one [low, high] range of degrees");
        foreach (var (low, high) in rangesInDegrees)
            if (!(low <= high) || !double.IsFinite(low) || !double.IsFinite(high))
                throw new GpuNetException($"RandomRotation: each range is [low, high] with low ≤ high, got " +
                    $"[{low}, {high}]");
        Ranges = rangesInDegrees;
    }

    public IReadOnlyList<(double Low, double High)> Ranges { get; }

    public override string Name => "RandomRotation";

    /// <summary>The angle for a draw u in [0, 1): ranges laid end to end, u picks the point along them.</summary>
    public double Angle(float u)
    {
        double total = Ranges.Sum(r => r.High - r.Low), along = u * total;
        foreach (var (low, high) in Ranges)
        {
            if (along < high - low || total == 0) return low + along;
            along -= high - low;
        }
        return Ranges[^1].High;
    }

    public override void Apply(ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        TransformRandom random) =>
        ImageGeometry.Rotate(source, destination, height, width, Angle(random.Uniform()));

    public override string ToString() =>
        $"{Name}({string.Join(", ",
            Ranges.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Low}°..{r.High}°")))})";
}
