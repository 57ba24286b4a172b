namespace GpuNet.Data;

/// <summary>
/// A labelled image set held in memory, [Count, Height * Width] in row-major order, flat, so
/// that a batch is a handful of block copies, never a per-pixel walk over objects. A set read
/// from an IDX file keeps its 8-bit pixels (47 MB for MNIST's training set, against 188 MB as
/// floats) and scales each batch's pixels to [0, 1] as it fills the batch; a set made in memory
/// (augmented copies, rotated test images) holds floats.
/// </summary>
public sealed class Dataset
{
    /// <summary>The number of classes of MNIST and Fashion-MNIST.</summary>
    public const int DefaultClassCount = 10;

    /// <summary>A set of images given as floats in [0, 1].</summary>
    public Dataset(float[] images, byte[] labels, int height, int width, int classCount = DefaultClassCount)
        : this(images?.Length ?? throw new ArgumentNullException(nameof(images)), labels, height, width, classCount)
    {
        _images = images;
    }

    /// <summary>A set of images given as 8-bit pixels, 0 … 255 for [0, 1].</summary>
    public Dataset(ReadOnlyMemory<byte> pixels, byte[] labels, int height, int width,
        int classCount = DefaultClassCount)
        : this(pixels.Length, labels, height, width, classCount)
    {
        _pixels = pixels;
    }

    private Dataset(long pixelCount, byte[] labels, int height, int width, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if ((long)labels.Length * height * width != pixelCount)
        {
            throw new ArgumentException(
                $"{labels.Length} labels of {height}x{width} images need " +
                    $"{(long)labels.Length * height * width} pixels, but the image array holds {pixelCount}.",
                "images");
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of sample {i} is not below the class count " +
                    $"{classCount}.", nameof(labels));
            }
        }

        Labels = labels;
        Height = height;
        Width = width;
        ClassCount = classCount;
    }

    public int Count => Labels.Length;

    public int Height { get; }

    public int Width { get; }

    public int PixelsPerImage => Height * Width;

    public int ClassCount { get; }

    // One of the two holds the images.
    private readonly float[]? _images;
    private readonly ReadOnlyMemory<byte> _pixels;

    /// <summary>Whether the images are held as 8-bit pixels rather than floats.</summary>
    public bool HoldsBytes => _images is null;

    /// <summary>
    /// [Count, Height * Width], row-major, each pixel in [0, 1]. For a set held as bytes, a new
    /// array of the whole set on every call: batches are filled with <see cref="FillImages"/>.
    /// </summary>
    public float[] Images => _images ?? ScalePixels(_pixels.Span);

    /// <summary>The class of each sample, from 0 to <see cref="ClassCount"/> - 1.</summary>
    public byte[] Labels { get; }

    /// <summary>
    /// Pairs an image file with a label file. Both must hold the same number of items, and every
    /// label must be a class number below <paramref name="classCount"/>.
    /// </summary>
    public static Dataset FromIdx(IdxFile images, IdxFile labels, int classCount = DefaultClassCount)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);

        if (images.Dimensions.Count != 3)
        {
            throw new GpuNetException(
                $"The image file '{images.Path}' has {images.Dimensions.Count} dimensions in its header (byte 3 of " +
                    $"the magic number); expected 3: count, height and width.");
        }

        if (labels.Dimensions.Count != 1)
        {
            throw new GpuNetException(
                $"The label file '{labels.Path}' has {labels.Dimensions.Count} dimensions in its header (byte 3 of " +
                    $"the magic number); expected 1: the count.");
        }

        if (images.Count != labels.Count)
        {
            throw new GpuNetException(
                $"The image file '{images.Path}' holds {images.Count:N0} images but the label file " +
                    $"'{labels.Path}' holds {labels.Count:N0} labels (the item count is the header field at byte " +
                        $"offset 4 of each); expected the same count in both, one label per image. Check that the two "
                            +
                            $"files belong to the same dataset and the same split (train or t10k).");
        }

        int height = images.Dimensions[1];
        int width = images.Dimensions[2];
        if (height == 0 || width == 0)
        {
            throw new GpuNetException(
                $"The image file '{images.Path}' declares {height}x{width} images (header fields at byte offsets 8 " +
                    $"and 12); expected a height and a width of at least 1.");
        }

        ReadOnlySpan<byte> labelBytes = labels.Data.Span;
        for (int i = 0; i < labelBytes.Length; i++)
        {
            if (labelBytes[i] >= classCount)
            {
                throw new GpuNetException(
                    $"The label file '{labels.Path}' has label {labelBytes[i]} for sample {i} at byte offset " +
                        $"{labels.HeaderLength + i}; expected a class number from 0 to {classCount - 1}.");
            }
        }

        return new Dataset(images.Data, labelBytes.ToArray(), height, width, classCount);
    }

    /// <summary>Reads and pairs an image file and a label file (each gzipped or not).</summary>
    public static Dataset FromFiles(string imagesPath, string labelsPath, int classCount = DefaultClassCount) =>
        FromIdx(IdxReader.ReadImages(imagesPath), IdxReader.ReadLabels(labelsPath), classCount);

    /// <summary>
    /// A copy of samples [<paramref name="start"/>, <paramref name="end"/>), for example the first
    /// 10,000 for training and 50,000 to 60,000 for validation. A copy, so that the slices can
    /// be shuffled and released independently of the whole set.
    /// </summary>
    public Dataset Slice(int start, int end)
    {
        if (start < 0 || end < start || end > Count)
        {
            throw new GpuNetException(
                $"Cannot take samples {start} to {end} (end excluded) of a dataset of {Count:N0} samples; expected 0 " +
                    $"<= start <= end <= {Count:N0}.");
        }

        int pixels = PixelsPerImage;
        byte[] labels = Labels.AsSpan(start, end - start).ToArray();
        return _images is null
            ? new Dataset(_pixels.Slice(start * pixels, (end - start) * pixels).ToArray(), labels, Height, Width,
                ClassCount)
            : new Dataset(_images.AsSpan(start * pixels, (end - start) * pixels).ToArray(), labels, Height, Width,
                ClassCount);
    }

    /// <summary>The pixels of one sample, in [0, 1] (a copy).</summary>
    public float[] GetImage(int sampleIndex)
    {
        var image = new float[PixelsPerImage];
        CopyImages(sampleIndex, 1, image);
        return image;
    }

    /// <summary>The images of samples [<paramref name="start"/>, start + count), in [0, 1], into count * <see
    /// cref="PixelsPerImage"/> floats.</summary>
    public void CopyImages(int start, int count, Span<float> destination)
    {
        if (count == 0) return;
        CheckIndex(start);
        CheckIndex(start + count - 1);
        int pixels = PixelsPerImage;
        CheckBatchLength(count, pixels, destination.Length, nameof(destination));
        if (_images is not null) _images.AsSpan(start * pixels, count * pixels).CopyTo(destination);
        else PixelScaling.Scale(_pixels.Span.Slice(start * pixels, count * pixels), destination);
    }

    /// <summary>
    /// Copies the images of the given samples, in that order, into a batch buffer of
    /// indices.Length * <see cref="PixelsPerImage"/> floats.
    /// </summary>
    public void FillImages(ReadOnlySpan<int> indices, Span<float> destination)
    {
        int pixels = PixelsPerImage;
        CheckBatchLength(indices.Length, pixels, destination.Length, nameof(destination));
        for (int row = 0; row < indices.Length; row++)
        {
            int sample = indices[row];
            CheckIndex(sample);
            Span<float> image = destination.Slice(row * pixels, pixels);
            if (_images is not null) _images.AsSpan(sample * pixels, pixels).CopyTo(image);
            else PixelScaling.Scale(_pixels.Span.Slice(sample * pixels, pixels), image);
        }
    }

    /// <summary>
    /// Writes the one-hot targets of the given samples, in that order, into a batch buffer of
    /// indices.Length * <see cref="ClassCount"/> floats.
    /// </summary>
    public void FillOneHot(ReadOnlySpan<int> indices, Span<float> destination)
    {
        CheckBatchLength(indices.Length, ClassCount, destination.Length, nameof(destination));
        for (int row = 0; row < indices.Length; row++)
        {
            OneHot(indices[row], destination.Slice(row * ClassCount, ClassCount));
        }
    }

    /// <summary>Writes the one-hot target of one sample into <see cref="ClassCount"/> floats.</summary>
    public void OneHot(int sampleIndex, Span<float> destination)
    {
        CheckIndex(sampleIndex);
        if (destination.Length != ClassCount)
        {
            throw new ArgumentException($"A one-hot target needs {ClassCount} floats, not {destination.Length}.",
                nameof(destination));
        }

        destination.Clear();
        destination[Labels[sampleIndex]] = 1f;
    }

    /// <summary>Copies the labels of the given samples, in that order (for accuracy counts).</summary>
    public void FillLabels(ReadOnlySpan<int> indices, Span<int> destination)
    {
        CheckBatchLength(indices.Length, 1, destination.Length, nameof(destination));
        for (int row = 0; row < indices.Length; row++)
        {
            CheckIndex(indices[row]);
            destination[row] = Labels[indices[row]];
        }
    }

    /// <summary>How many samples each class has, indexed by class.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[ClassCount];
        foreach (byte label in Labels)
        {
            counts[label]++;
        }

        return counts;
    }

    private static float[] ScalePixels(ReadOnlySpan<byte> pixels)
    {
        var scaled = new float[pixels.Length];
        PixelScaling.Scale(pixels, scaled);
        return scaled;
    }

    private void CheckIndex(int sampleIndex)
    {
        if ((uint)sampleIndex >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleIndex), sampleIndex,
                $"The dataset has {Count} samples.");
        }
    }

    private static void CheckBatchLength(int batchSize, int perSample, int destinationLength, string parameter)
    {
        if ((long)batchSize * perSample != destinationLength)
        {
            throw new ArgumentException(
                $"A batch of {batchSize} samples needs {(long)batchSize * perSample} values ({perSample} per sample), "
                    +
                    $"but the destination holds {destinationLength}.",
                parameter);
        }
    }
}
