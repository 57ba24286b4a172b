namespace GpuNet.Data.Augmentation;

/// <summary>
/// Resampling of one greyscale image [height, width] row-major: bilinear reads with background
/// 0 outside the image, and the moves built on them.
/// </summary>
public static class ImageGeometry
{
    // Coordinates this close to a whole pixel are taken as that pixel, so a rotation by 90°
    // (whose cosine is 6e-17, not 0) reads pixels exactly instead of mixing in a neighbour's 1e-16.
    private const double Snap = 1e-9;

    /// <summary>The value at (x, y) in pixel units, interpolated between the four nearest pixels; 0 outside.</summary>
    public static float Bilinear(ReadOnlySpan<float> image, int height, int width, double x, double y)
    {
        if (Math.Abs(x - Math.Round(x)) < Snap) x = Math.Round(x);
        if (Math.Abs(y - Math.Round(y)) < Snap) y = Math.Round(y);
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        float fx = (float)(x - x0), fy = (float)(y - y0);
        float top = fx == 0 ? Pixel(image, height, width, x0, y0) : (1 - fx) * Pixel(image, height, width, x0, y0)
            + fx * Pixel(image, height, width, x0 + 1, y0);
        if (fy == 0) return top;
        float bottom = fx == 0 ? Pixel(image, height, width, x0, y0 + 1)
            : (1 - fx) * Pixel(image, height, width, x0, y0 + 1) + fx * Pixel(image, height, width, x0 + 1, y0 + 1);
        return (1 - fy) * top + fy * bottom;
    }

    private static float Pixel(ReadOnlySpan<float> image, int height, int width, int x, int y) =>
        x >= 0 && x < width && y >= 0 && y < height ? image[y * width + x] : 0f;

    /// <summary>Rotates about the image's centre by <paramref name="degrees"/>, counter-clockwise as displayed (rows
    /// run downwards).</summary>
    public static void Rotate(ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        double degrees)
    {
        double radians = degrees * Math.PI / 180, cos = Math.Cos(radians), sin = Math.Sin(radians);
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                // Each output pixel reads the source point that the rotation carries onto it.
                double u = x - cx, v = y - cy;
                destination[y * width + x] = Bilinear(source, height, width, cx + u * cos - v * sin,
                    cy + u * sin + v * cos);
            }
        }
    }

    /// <summary>Moves the content <paramref name="dx"/> pixels right and <paramref name="dy"/> down; what comes in is
    /// 0.</summary>
    public static void Shift(ReadOnlySpan<float> source, Span<float> destination, int height, int width, int dx, int dy)
    {
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int sx = x - dx, sy = y - dy;
                destination[y * width + x] = sx >= 0 && sx < width && sy >= 0 && sy < height ? source[sy * width + sx]
                    : 0f;
            }
        }
    }

    /// <summary>Each output pixel (x, y) reads the source at (x + dx[y, x], y + dy[y, x]).</summary>
    public static void Displace(ReadOnlySpan<float> source, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy,
        Span<float> destination, int height, int width)
    {
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                destination[y * width + x] = Bilinear(source, height, width, x + (double)dx[y * width + x],
                    y + (double)dy[y * width + x]);
    }
}
