using GpuNet.Random;

namespace GpuNet.Data.Augmentation;

/// <summary>
/// Algorithmic expansion of a training set: transforms applied one after another to each image,
/// with each sample's draws a function of (seed, epoch or copy, sample index) — so the same seed
/// gives the same images on any thread, in any batch order, after a resume.
/// </summary>
public sealed class Augmentation
{
    [ThreadStatic] private static float[]? t_scratch;

    public Augmentation(IReadOnlyList<ImageTransform> transforms, AugmentationMode mode, int copies)
    {
        if (transforms.Count == 0) throw new GpuNetException("augmentation: 'transforms' needs at least one transform");
        if (copies < 1) throw new GpuNetException($"augmentation: 'copies' must be a positive integer, got {copies}");
        Transforms = transforms;
        Mode = mode;
        Copies = copies;
    }

    public IReadOnlyList<ImageTransform> Transforms { get; }

    public AugmentationMode Mode { get; }

    /// <summary>Expand mode: how many transformed copies of each image join the originals.</summary>
    public int Copies { get; }

    /// <summary>Applies every transform in turn; <paramref name="image"/> [height, width] is replaced by the
    /// result.</summary>
    public void TransformInPlace(Span<float> image, int height, int width, TransformRandom random)
    {
        int pixels = height * width;
        if (t_scratch is null || t_scratch.Length < pixels) t_scratch = new float[pixels];
        Span<float> scratch = t_scratch.AsSpan(0, pixels);
        foreach (ImageTransform transform in Transforms)
        {
            image.CopyTo(scratch);
            transform.Apply(scratch, image, height, width, random);
        }
    }

    /// <summary>
    /// On the fly: transforms a batch already copied into <paramref name="images"/> [indices.Length,
    /// pixels]; sample indices[i]'s draws come from its own stream for this epoch.
    /// </summary>
    public void TransformBatch(ReadOnlySpan<int> indices, int height, int width, int epoch, ulong seed,
        Span<float> images)
    {
        int pixels = height * width;
        for (int row = 0; row < indices.Length; row++)
            TransformInPlace(images.Slice(row * pixels, pixels), height, width,
                new TransformRandom(seed, RandomStreams.Augmentation(epoch, indices[row])));
    }

    /// <summary>
    /// The originals followed by <see cref="Copies"/> transformed copies of every image (copy k of
    /// sample i at index k·Count + i), labels repeated.
    /// </summary>
    public Dataset Expand(Dataset data, ulong seed)
    {
        int count = data.Count, pixels = data.PixelsPerImage;
        long total = (long)count * (Copies + 1);
        if (total * pixels > Array.MaxLength)
            throw new GpuNetException($"augmentation: {count:N0} images × {Copies
                + 1} is too large a set to hold in memory; use fewer copies or mode: on_the_fly");
        var images = new float[total * pixels];
        var labels = new byte[total];
        data.CopyImages(0, count, images.AsSpan(0, count * pixels));
        for (int copy = 0; copy <= Copies; copy++) data.Labels.CopyTo(labels, copy * count);
        // Each image is its own work: the result does not depend on the thread that made it.
        Parallel.For(0, Copies * count, job =>
        {
            int copy = job / count + 1, sample = job % count;
            // Within int: the whole set was checked to fit in one array.
            Span<float> image = images.AsSpan((copy * count + sample) * pixels, pixels);
            data.CopyImages(sample, 1, image);
            TransformInPlace(image, data.Height, data.Width,
                new TransformRandom(seed, RandomStreams.Expansion(copy, sample)));
        });
        return new Dataset(images, labels, data.Height, data.Width, data.ClassCount);
    }

    public override string ToString() =>
        (Mode == AugmentationMode.Expand ? $"expanded ×{Copies + 1} by " : "on the fly: ")
            + string.Join(" then ", Transforms);
}
