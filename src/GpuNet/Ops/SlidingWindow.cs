using GpuNet.Accelerators;

namespace GpuNet.Ops;

/// <summary>
/// A convolution kernel's or a pool's window as a layer gives it: size, strides and padding. It
/// places itself over an image to give the <see cref="Window2D"/> the kernels run with.
/// </summary>
/// <param name="What">How errors name the window: "kernel" or "pool".</param>
public sealed record SlidingWindow(int Height, int Width, int StrideHeight, int StrideWidth, Padding Padding,
    string What = "window")
{
    /// <summary>Output size and leading padding along one axis, or an error when the window cannot fit.</summary>
    public (int Output, int PadBefore) Along(int input, int window, int stride)
    {
        if (Padding == Padding.Same)
        {
            int output = (input + stride - 1) / stride;
            int padTotal = Math.Max((output - 1) * stride + window - input, 0);
            return (output, padTotal / 2);
        }
        return ((input - window) / stride + 1, 0);
    }

    /// <summary>Output height and width over an image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public (int Height, int Width) OutputSize(int height, int width)
    {
        if (Padding == Padding.Valid && (Height > height || Width > width))
            throw new GpuNetException($"{What} {Height}x{Width} is larger than the input " +
                $"{height}x{width} with 'valid' padding; use a smaller {What}, padding 'same', or fewer pooling " +
                    $"layers before it");
        return (Along(height, Height, StrideHeight).Output, Along(width, Width, StrideWidth).Output);
    }

    /// <summary>The window placed over a batch of images [batch, channels, height, width].</summary>
    public Window2D Over(int batch, int channels, int height, int width)
    {
        var (outputHeight, padTop) = Along(height, Height, StrideHeight);
        var (outputWidth, padLeft) = Along(width, Width, StrideWidth);
        return new Window2D(batch, channels, height, width, Height, Width, StrideHeight, StrideWidth, padTop, padLeft,
            outputHeight, outputWidth);
    }
}
