namespace GpuNet.Reports;

/// <summary>
/// An 8-bit image, greyscale (1 channel) or RGB (3 channels), rows top to bottom, channels
/// interleaved: what the report draws digits, filters and grids into before encoding them as PNG.
/// </summary>
public sealed class RasterImage
{
    public RasterImage(int width, int height, int channels, byte background = 0)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"an image needs a positive size, got {width}×{height}");
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), $"1 (grey) or 3 (RGB) channels, got {channels}");
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = new byte[width * height * channels];
        if (background != 0) Pixels.AsSpan().Fill(background);
    }

    public int Width { get; }

    public int Height { get; }

    public int Channels { get; }

    /// <summary>[Height, Width, Channels], row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>A greyscale image of values in [0, 1] (a dataset image): 0 black, 1 white; values outside are
    /// clipped.</summary>
    public static RasterImage FromUnitValues(ReadOnlySpan<float> values, int width, int height)
    {
        if (values.Length != width * height)
            throw new ArgumentException($"{width}×{height} pixels needed, got {values.Length}", nameof(values));
        var image = new RasterImage(width, height, 1);
        for (int i = 0; i < values.Length; i++) image.Pixels[i] = ToByte(values[i]);
        return image;
    }

    /// <summary>
    /// A greyscale picture of learned weights, scaled so that the largest magnitude is black or
    /// white and zero is mid-grey: the sign of a weight stays visible, which a min–max stretch hides.
    /// </summary>
    public static RasterImage FromWeights(ReadOnlySpan<float> weights, int width, int height)
    {
        if (weights.Length != width * height)
            throw new ArgumentException($"{width}×{height} weights needed, got {weights.Length}", nameof(weights));
        float largest = 0;
        foreach (float w in weights) largest = Math.Max(largest, Math.Abs(w));
        var image = new RasterImage(width, height, 1);
        for (int i = 0; i < weights.Length; i++)
            image.Pixels[i] = ToByte(largest > 0 ? 0.5f + 0.5f * weights[i] / largest : 0.5f);
        return image;
    }

    /// <summary>Each pixel repeated factor × factor times: small images stay sharp when shown large.</summary>
    public RasterImage Enlarged(int factor)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), $"a factor of at least 1, got {factor}");
        var large = new RasterImage(Width * factor, Height * factor, Channels);
        for (int y = 0; y < large.Height; y++)
            for (int x = 0; x < large.Width; x++)
                for (int c = 0; c < Channels; c++)
                    large.Pixels[(y * large.Width + x) * Channels
                        + c] = Pixels[((y / factor) * Width + x / factor) * Channels + c];
        return large;
    }

    /// <summary>Copies <paramref name="source"/> (same channel count) with its top-left corner at (left,
    /// top).</summary>
    public void Draw(RasterImage source, int left, int top)
    {
        if (source.Channels != Channels)
            throw new ArgumentException($"cannot draw a {source.Channels}-channel image into a {Channels}-channel one",
                nameof(source));
        if (left < 0 || top < 0 || left + source.Width > Width || top + source.Height > Height)
            throw new ArgumentOutOfRangeException(nameof(left),
                $"a {source.Width}×{source.Height} image at ({left}, {top}) does not fit in {Width}×{Height}");
        int rowBytes = source.Width * Channels;
        for (int y = 0; y < source.Height; y++)
            Array.Copy(source.Pixels, y * rowBytes, Pixels, ((top + y) * Width + left) * Channels, rowBytes);
    }

    /// <summary>Images of one size side by side, <paramref name="columns"/> to a row, <paramref name="gap"/> pixels of
    /// background between them.</summary>
    public static RasterImage Grid(IReadOnlyList<RasterImage> tiles, int columns, int gap, byte background)
    {
        if (tiles.Count == 0) throw new ArgumentException("a grid needs at least one image", nameof(tiles));
        RasterImage first = tiles[0];
        if (tiles.Any(t => t.Width != first.Width || t.Height != first.Height || t.Channels != first.Channels))
            throw new ArgumentException("every image of a grid must have the same size and channels", nameof(tiles));
        columns = Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + columns - 1) / columns;
        var grid = new RasterImage(columns * first.Width + (columns + 1) * gap, rows * first.Height + (rows + 1) * gap,
            first.Channels, background);
        for (int i = 0; i < tiles.Count; i++)
            grid.Draw(tiles[i], gap + i % columns * (first.Width + gap), gap + i / columns * (first.Height + gap));
        return grid;
    }

    private static byte ToByte(float unit) => (byte)Math.Clamp(MathF.Round(unit * 255f), 0f, 255f);
}
