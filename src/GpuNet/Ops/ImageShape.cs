using GpuNet.Tensors;

namespace GpuNet.Ops;

/// <summary>
/// Reads a per-sample shape as an image [channels, height, width]. A rank-2 [height, width] is
/// one channel, as Keras's (28, 28, 1) is; a flat vector is refused with the shape Keras would print.
/// </summary>
public static class ImageShape
{
    public static (int Channels, int Height, int Width) Of(int[] sampleShape) => sampleShape.Length switch
    {
        2 => (1, sampleShape[0], sampleShape[1]),
        3 => (sampleShape[0], sampleShape[1], sampleShape[2]),
        _ => throw new GpuNetException(
            $"expects an image input (height, width, channels) but gets " +
                $"{ShapeOf.Format(ShapeOf.ToChannelsLast(sampleShape))}; " +
            "an image layer must come before Flatten, or use Reshape to give the input its height, width and channels"),
    };

    /// <summary>The image of a batch tensor [batch, …]; read in place, since ops ask for it on every step.</summary>
    public static (int Channels, int Height, int Width) OfBatch(Tensor tensor) => tensor.Shape switch
    {
        [_, int height, int width] => (1, height, width),
        [_, int channels, int height, int width] => (channels, height, width),
        _ => Of(tensor.Shape[1..]),
    };
}
