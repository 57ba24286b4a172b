namespace GpuNet.Data.Augmentation;

/// <summary>
/// One fixed transform applied to a whole set: the rotated test sets of the lecture's exercise
/// ("rotate the test images and see how accuracy holds") and the views that test-time
/// augmentation averages over.
/// </summary>
public static class FixedTransforms
{
    /// <summary>Every image rotated by <paramref name="degrees"/> (counter-clockwise), labels unchanged.</summary>
    public static Dataset Rotated(Dataset data, double degrees)
    {
        if (degrees == 0) return data;
        int pixels = data.PixelsPerImage;
        var images = new float[(long)data.Count * pixels];
        Parallel.For(0, data.Count, i =>
            ImageGeometry.Rotate(data.GetImage(i), images.AsSpan(i * pixels, pixels), data.Height, data.Width,
                degrees));
        return new Dataset(images, data.Labels, data.Height, data.Width, data.ClassCount);
    }
}
