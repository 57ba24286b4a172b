namespace GpuNet.Data.Augmentation;

/// <summary>
/// One way of making a new training image from an old one, drawing what it needs (an angle, a
/// displacement) from the sample's random numbers. Source and destination are [height, width]
/// and never overlap.
/// </summary>
public abstract class ImageTransform
{
    /// <summary>The config name, e.g. "RandomRotation".</summary>
    public abstract string Name { get; }

    public abstract void Apply(ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        TransformRandom random);

    /// <summary>What it does, for the run's header line: "RandomRotation(5°..25°, −25°..−5°)".</summary>
    public abstract override string ToString();
}
