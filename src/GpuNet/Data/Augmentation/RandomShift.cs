namespace GpuNet.Data.Augmentation;

/// <summary>
/// A displacement by whole pixels, background 0. With <c>directions: four</c> it is one of
/// Nielsen's four one-pixel moves (up, down, left or right by <see cref="Pixels"/>); otherwise
/// (dx, dy) is drawn from [−n, n]², the identity included.
/// </summary>
public sealed class RandomShift : ImageTransform
{
    public RandomShift(int pixels, bool fourDirections)
    {
        if (pixels < 1) throw new GpuNetException($"RandomShift: 'pixels' must be a positive integer, got {pixels}");
        Pixels = pixels;
        FourDirections = fourDirections;
    }

    public int Pixels { get; }

    public bool FourDirections { get; }

    public override string Name => "RandomShift";

    public override void Apply(ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        TransformRandom random)
    {
        int dx, dy;
        if (FourDirections)
        {
            (dx, dy) = random.Below(4) switch { 0 => (0, -Pixels), 1 => (0, Pixels), 2 => (-Pixels, 0), _ =>
                (Pixels, 0) };
        }
        else
        {
            dx = random.Below(2 * Pixels + 1) - Pixels;
            dy = random.Below(2 * Pixels + 1) - Pixels;
        }
        ImageGeometry.Shift(source, destination, height, width, dx, dy);
    }

    public override string ToString() => FourDirections ? $"{Name}(one of four {Pixels}-pixel moves)"
        : $"{Name}(up to {Pixels} pixels each way)";
}
