namespace GpuNet.Accelerators;

/// <summary>
/// Where a 2-D window (a convolution kernel or a pooling window) visits a batch of NCHW images.
/// Output position (oh, ow) covers input rows oh·StrideHeight − PadTop … + WindowHeight − 1 and
/// columns ow·StrideWidth − PadLeft … + WindowWidth − 1; positions outside the image are padding.
/// The sizes are worked out once by the op (Keras's 'valid'/'same' arithmetic), so every kernel
/// and every accelerator reads the same numbers.
/// </summary>
/// <param name="Batch">Images in the batch (N).</param>
/// <param name="Channels">Input channels (C); pooling keeps them, a convolution sums over them.</param>
/// <param name="Height">Input height (H).</param>
/// <param name="Width">Input width (W).</param>
/// <param name="WindowHeight">Kernel or pool height (kh).</param>
/// <param name="WindowWidth">Kernel or pool width (kw).</param>
/// <param name="StrideHeight">Rows between two window positions.</param>
/// <param name="StrideWidth">Columns between two window positions.</param>
/// <param name="PadTop">Padding rows above the image (0 for 'valid').</param>
/// <param name="PadLeft">Padding columns left of the image (0 for 'valid').</param>
/// <param name="OutputHeight">Window positions down the image (OH).</param>
/// <param name="OutputWidth">Window positions across the image (OW).</param>
public readonly record struct Window2D(
    int Batch, int Channels, int Height, int Width,
    int WindowHeight, int WindowWidth, int StrideHeight, int StrideWidth,
    int PadTop, int PadLeft, int OutputHeight, int OutputWidth)
{
    /// <summary>H·W: pixels in one channel of one input image.</summary>
    public int InputPlane => Height * Width;

    /// <summary>OH·OW: positions in one channel of one output image.</summary>
    public int OutputPlane => OutputHeight * OutputWidth;

    /// <summary>kh·kw.</summary>
    public int WindowSize => WindowHeight * WindowWidth;

    /// <summary>C·kh·kw: the rows of the im2col matrix, one per element of a patch.</summary>
    public int PatchSize => Channels * WindowSize;

    /// <summary>N·OH·OW: the columns of the im2col matrix, one per output position of the batch.</summary>
    public int PatchCount => Batch * OutputPlane;

    /// <summary>N·C·H·W.</summary>
    public int InputLength => Batch * Channels * InputPlane;

    /// <summary>No padding, and every window lies wholly inside the image: each reads only pixels.</summary>
    public bool WindowsInsideImage => PadTop == 0 && PadLeft == 0
        && (OutputHeight - 1) * StrideHeight + WindowHeight <= Height
        && (OutputWidth - 1) * StrideWidth + WindowWidth <= Width;

    /// <summary>Where output position q's window starts in a channels-last image [H, W, C] of a layer whose
    /// windows lie inside the image: (oh·sh·W + ow·sw)·C.</summary>
    public int ChannelsLastCorner(int q) =>
        (q / OutputWidth * StrideHeight * Width + q % OutputWidth * StrideWidth) * Channels;

    /// <summary>Throws unless the sizes are consistent; kernels call it before they touch memory.</summary>
    public void Validate()
    {
        if (Batch < 0 || Channels <= 0 || Height <= 0 || Width <= 0 || WindowHeight <= 0 || WindowWidth <= 0 ||
            StrideHeight <= 0 || StrideWidth <= 0 || PadTop < 0 || PadLeft < 0 || PadTop >= WindowHeight
                || PadLeft >= WindowWidth ||
            OutputHeight <= 0 || OutputWidth <= 0)
            throw new ArgumentException($"Inconsistent window geometry: {this}.");
        if ((OutputHeight - 1) * StrideHeight - PadTop >= Height || (OutputWidth - 1) * StrideWidth - PadLeft >= Width)
            throw new ArgumentException($"The last window starts outside the image: {this}.");
    }
}
