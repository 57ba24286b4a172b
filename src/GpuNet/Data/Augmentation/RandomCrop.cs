namespace GpuNet.Data.Augmentation;

/// <summary>
/// Keras's and torchvision's random crop with padding: the image padded by <see cref="Padding"/>
/// pixels of 0 on every side, and a window of the original size cut from it at a random place.
/// That is a shift by (dx, dy) in [−p, p]², which is how it is computed.
/// </summary>
public sealed class RandomCrop : ImageTransform
{
    public RandomCrop(int padding)
    {
        if (padding < 1) throw new GpuNetException($"RandomCrop: 'padding' must be a positive integer, got {padding}");
        Padding = padding;
    }

    public int Padding { get; }

    public override string Name => "RandomCrop";

    public override void Apply(ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        TransformRandom random)
    {
        // The window's corner in the padded image, 0…2p each way; corner p is the original.
        int left = random.Below(2 * Padding + 1), top = random.Below(2 * Padding + 1);
        ImageGeometry.Shift(source, destination, height, width, Padding - left, Padding - top);
    }

    public override string ToString() => $"{Name}(padding {Padding})";
}
