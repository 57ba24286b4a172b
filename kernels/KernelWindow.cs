namespace GpuNet.Kernels;

/// <summary>
/// Where a 2-D window (a convolution kernel or a pooling window) visits a batch of NCHW images,
/// as the kernels receive it by value: the same twelve numbers as the accelerator layer's window,
/// worked out once on the host. Output (oh, ow) covers input rows oh·StrideHeight − PadTop …
/// + WindowHeight − 1, and the columns likewise; positions outside the image are padding.
/// </summary>
public readonly struct KernelWindow
{
    public KernelWindow(int batch, int channels, int height, int width, int windowHeight, int windowWidth,
        int strideHeight, int strideWidth, int padTop, int padLeft, int outputHeight, int outputWidth)
    {
        Batch = batch;
        Channels = channels;
        Height = height;
        Width = width;
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PadTop = padTop;
        PadLeft = padLeft;
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
    }

    public int Batch { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int WindowHeight { get; }

    public int WindowWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public int PadTop { get; }

    public int PadLeft { get; }

    public int OutputHeight { get; }

    public int OutputWidth { get; }

    public int InputPlane => Height * Width;

    public int OutputPlane => OutputHeight * OutputWidth;

    /// <summary>N·C: the planes a pooling kernel walks.</summary>
    public int Planes => Batch * Channels;

    /// <summary>The first input row of output row <paramref name="oh"/>'s window, clipped to the image.</summary>
    public int FirstRow(int oh) => Max(oh * StrideHeight - PadTop, 0);

    /// <summary>One past the last input row of the window, clipped to the image.</summary>
    public int EndRow(int oh) => Min(oh * StrideHeight - PadTop + WindowHeight, Height);

    public int FirstColumn(int ow) => Max(ow * StrideWidth - PadLeft, 0);

    public int EndColumn(int ow) => Min(ow * StrideWidth - PadLeft + WindowWidth, Width);

    // Plain comparisons: they compile to the same select on every backend.
    private static int Max(int a, int b) => a > b ? a : b;

    private static int Min(int a, int b) => a < b ? a : b;
}
