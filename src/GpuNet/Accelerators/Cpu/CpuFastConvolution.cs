using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// Convolution a few images at a time. The batched im2col of <see cref="CpuConvolution"/> lays the
/// whole batch's patches out at once — 800 × 7,680 floats (25 MB) for 32 channels of 5×5 at batch
/// 120 — so each step writes and reads that matrix through main memory. Here each thread takes a
/// chunk of images small enough that its im2col matrix stays in the core's L2 cache, multiplies it
/// there on one thread, and writes NCHW directly. Chunks depend on the geometry alone, never on the
/// thread count, and the kernel gradient is summed chunk by chunk in chunk order, so the result is
/// the same for any number of threads.
/// </summary>
internal static class CpuFastConvolution
{
    /// <summary>A chunk's im2col matrix is kept to about this many floats (1 MiB), half a core's L2.</summary>
    private const int ChunkFloats = 1 << 18;

    // Per thread: the chunk's im2col (or its gradient) and its filter-major product.
    [ThreadStatic] private static float[]? t_columns;
    [ThreadStatic] private static float[]? t_filterMajor;
    [ThreadStatic] private static float[]? t_partial;
    [ThreadStatic] private static float[]? t_partials;

    /// <summary>Images per chunk for this geometry.</summary>
    public static int ImagesPerChunk(Window2D g) => Math.Clamp(ChunkFloats / Math.Max(1, g.PatchSize * g.OutputPlane), 1, Math.Max(1, g.Batch));

    /// <summary>
    /// Below this patch size (C·kh·kw) the batched form is faster: a first layer's GEMM over 25 patch
    /// elements gains nothing from cache-sized chunks, and splitting it only shortens its rows.
    /// </summary>
    public const int ChunkedFromPatchSize = 64;

    /// <summary>Whether <see cref="Forward"/> and <see cref="Backward"/> take chunks for this geometry (else the batched form).</summary>
    public static bool Chunked(Window2D g) => g.PatchSize >= ChunkedFromPatchSize;

    /// <summary>
    /// y [N, F, OH, OW] = kernel [F, C·kh·kw] applied to every patch of x [N, C, H, W], plus bias [F]
    /// where given; col [C·kh·kw, N·OH·OW] and filterMajor [F, N·OH·OW] are the batched form's workspaces.
    /// </summary>
    public static void Forward(float[] x, float[] kernel, float[]? bias, Window2D g, int filters, float[] col, float[] filterMajor, float[] y)
    {
        if (Chunked(g)) ChunkedForward(x, kernel, bias, g, filters, y);
        else BatchedForward(x, kernel, bias, g, filters, col, filterMajor, y);
    }

    /// <summary>The backward of <see cref="Forward"/>, after it, with the same workspaces.</summary>
    public static void Backward(float[] x, float[] kernel, float[] dy, Window2D g, int filters, float[] col, float[] filterMajor, float[] dKernel, float[]? dBias, float[]? dx)
    {
        if (Chunked(g)) ChunkedBackward(x, kernel, dy, g, filters, dKernel, dBias, dx);
        else BatchedBackward(x, kernel, dy, g, filters, col, filterMajor, dKernel, dBias, dx);
    }

    /// <summary>The whole batch as one im2col, one multi-threaded GEMM and one axis swap.</summary>
    internal static void BatchedForward(float[] x, float[] kernel, float[]? bias, Window2D g, int filters, float[] col, float[] filterMajor, float[] y)
    {
        CheckBatched(x, g, filters, col, filterMajor, y);
        BatchedIm2Col(x, g, col);
        CpuFastGemm.Multiply(false, false, kernel, col, filters, g.PatchCount, g.PatchSize, 1f, 0f, filterMajor);
        CpuConvolution.SwapLeadingAxes(filterMajor, filters, g.Batch, g.OutputPlane, y);
        if (bias is not null) CpuFastChannelBias.Add(bias, g.Batch, filters, g.OutputPlane, y);
    }

    /// <summary>The batched backward; col must still hold the forward's patches.</summary>
    internal static void BatchedBackward(float[] x, float[] kernel, float[] dy, Window2D g, int filters, float[] col, float[] filterMajor, float[] dKernel, float[]? dBias, float[]? dx)
    {
        CheckBatched(x, g, filters, col, filterMajor, dy);
        if (dx is not null) CpuConvolution.CheckLength(dx, g.InputLength, nameof(dx));
        if (dBias is not null) CpuFastChannelBias.Gradient(dy, g.Batch, filters, g.OutputPlane, dBias);
        CpuConvolution.SwapLeadingAxes(dy, g.Batch, filters, g.OutputPlane, filterMajor);
        // col still holds the forward's patches.
        CpuFastGemm.Multiply(false, true, filterMajor, col, filters, g.PatchSize, g.PatchCount, 1f, 1f, dKernel);
        if (dx is null) return;
        CpuFastGemm.Multiply(true, false, kernel, filterMajor, g.PatchSize, g.PatchCount, filters, 1f, 0f, col);
        BatchedCol2Im(col, g, dx);
    }

    // The batched im2col and col2im read and write through unchecked references: every length is checked first.
    private static void CheckBatched(float[] x, Window2D g, int filters, float[] col, float[] filterMajor, float[] output)
    {
        g.Validate();
        CpuConvolution.CheckLength(x, g.InputLength, nameof(x));
        CpuConvolution.CheckLength(col, (long)g.PatchSize * g.PatchCount, nameof(col));
        CpuConvolution.CheckLength(filterMajor, (long)filters * g.PatchCount, nameof(filterMajor));
        CpuConvolution.CheckLength(output, (long)g.Batch * filters * g.OutputPlane, nameof(output));
    }

    // The batched im2col and col2im split by images: each thread fills (or reads) its images' columns of every row.
    private static void BatchedIm2Col(float[] x, Window2D g, float[] col) =>
        CpuParallel.For(g.Batch, (long)g.PatchSize * g.OutputPlane, (x, g, col), static (in (float[] X, Window2D G, float[] Col) s, int first, int last) =>
        {
            Window2D part = s.G with { Batch = last - first };
            Im2Col(s.X.AsSpan(first * s.G.Channels * s.G.InputPlane, part.InputLength), part, s.Col, first * s.G.OutputPlane, s.G.PatchCount);
        });

    private static void BatchedCol2Im(float[] dCol, Window2D g, float[] dx) =>
        CpuParallel.For(g.Batch, (long)g.PatchSize * g.OutputPlane, (dCol, g, dx), static (in (float[] DCol, Window2D G, float[] Dx) s, int first, int last) =>
        {
            Window2D part = s.G with { Batch = last - first };
            Col2Im(s.DCol, part, s.Dx.AsSpan(first * s.G.Channels * s.G.InputPlane, part.InputLength), first * s.G.OutputPlane, s.G.PatchCount);
        });

    /// <summary>Chunks of images whose im2col fits in cache, each multiplied on one thread.</summary>
    internal static void ChunkedForward(float[] x, float[] kernel, float[]? bias, Window2D g, int filters, float[] y)
    {
        g.Validate();
        CpuConvolution.CheckLength(x, g.InputLength, nameof(x));
        CpuConvolution.CheckLength(kernel, (long)filters * g.PatchSize, nameof(kernel));
        CpuConvolution.CheckLength(y, (long)g.Batch * filters * g.OutputPlane, nameof(y));
        int perChunk = ImagesPerChunk(g), chunks = (g.Batch + perChunk - 1) / perChunk;
        long work = (long)perChunk * filters * g.PatchSize * g.OutputPlane;
        CpuParallel.For(chunks, work, (x, kernel, bias, g, filters, y, perChunk),
            static (in (float[] X, float[] Kernel, float[]? Bias, Window2D G, int Filters, float[] Y, int PerChunk) s, int first, int last) =>
            {
                for (int chunk = first; chunk < last; chunk++) ForwardChunk(s.X, s.Kernel, s.Bias, s.G, s.Filters, s.Y, chunk * s.PerChunk, s.PerChunk);
            });
    }

    /// <summary>
    /// The chunked form of the backward: dKernel [F, C·kh·kw] += Σ dy · colᵀ, dBias [F] += Σ dy, and
    /// where given dx [N, C, H, W] += col2im(kernelᵀ · dy).
    /// </summary>
    internal static void ChunkedBackward(float[] x, float[] kernel, float[] dy, Window2D g, int filters, float[] dKernel, float[]? dBias, float[]? dx)
    {
        g.Validate();
        CpuConvolution.CheckLength(x, g.InputLength, nameof(x));
        CpuConvolution.CheckLength(kernel, (long)filters * g.PatchSize, nameof(kernel));
        CpuConvolution.CheckLength(dy, (long)g.Batch * filters * g.OutputPlane, nameof(dy));
        CpuConvolution.CheckLength(dKernel, (long)filters * g.PatchSize, nameof(dKernel));
        if (dx is not null) CpuConvolution.CheckLength(dx, g.InputLength, nameof(dx));
        if (dBias is not null) CpuFastChannelBias.Gradient(dy, g.Batch, filters, g.OutputPlane, dBias);
        int perChunk = ImagesPerChunk(g), chunks = (g.Batch + perChunk - 1) / perChunk;
        long work = 2L * perChunk * filters * g.PatchSize * g.OutputPlane;
        // One kernel-sized partial sum per chunk, kept by the calling thread for its next step.
        float[] partials = Scratch(ref t_partials, chunks * filters * g.PatchSize);
        CpuParallel.For(chunks, work, (x, kernel, dy, g, filters, partials, dx, perChunk),
            static (in (float[] X, float[] Kernel, float[] Dy, Window2D G, int Filters, float[] Partials, float[]? Dx, int PerChunk) s, int first, int last) =>
            {
                for (int chunk = first; chunk < last; chunk++) BackwardChunk(s.X, s.Kernel, s.Dy, s.G, s.Filters, s.Partials, s.Dx, chunk, s.PerChunk);
            });
        // The chunks' kernel gradients, added in chunk order: the same sums whatever thread made them.
        int kernelLength = filters * g.PatchSize;
        CpuParallel.For(kernelLength, chunks, (partials, dKernel, chunks, kernelLength),
            static (in (float[] Partials, float[] DKernel, int Chunks, int Length) s, int first, int last) =>
            {
                for (int c = 0; c < s.Chunks; c++)
                {
                    var partial = s.Partials.AsSpan(c * s.Length + first, last - first);
                    var total = s.DKernel.AsSpan(first, last - first);
                    System.Numerics.Tensors.TensorPrimitives.Add(total, partial, total);
                }
            });
    }

    private static void ForwardChunk(float[] x, float[] kernel, float[]? bias, Window2D g, int filters, float[] y, int firstImage, int perChunk)
    {
        int images = Math.Min(perChunk, g.Batch - firstImage);
        Window2D chunk = g with { Batch = images };
        float[] columns = Scratch(ref t_columns, chunk.PatchSize * chunk.PatchCount);
        float[] filterMajor = Scratch(ref t_filterMajor, filters * chunk.PatchCount);
        Im2Col(x.AsSpan(firstImage * g.Channels * g.InputPlane, chunk.InputLength), chunk, columns, 0, chunk.PatchCount);
        // [F, C·kh·kw] · [C·kh·kw, n·OH·OW] on this thread: the chunk is this thread's work.
        CpuFastGemm.Multiply(false, false, kernel, columns, filters, chunk.PatchCount, chunk.PatchSize, 1f, 0f, filterMajor, GemmKernelKind.Auto, 1);
        int plane = g.OutputPlane;
        for (int n = 0; n < images; n++)
        {
            for (int f = 0; f < filters; f++)
            {
                ReadOnlySpan<float> source = filterMajor.AsSpan((f * images + n) * plane, plane);
                Span<float> target = y.AsSpan(((firstImage + n) * filters + f) * plane, plane);
                if (bias is null) source.CopyTo(target);
                else System.Numerics.Tensors.TensorPrimitives.Add(source, bias[f], target);
            }
        }
    }

    private static void BackwardChunk(float[] x, float[] kernel, float[] dy, Window2D g, int filters, float[] partials, float[]? dx, int chunkIndex, int perChunk)
    {
        int firstImage = chunkIndex * perChunk, images = Math.Min(perChunk, g.Batch - firstImage);
        Window2D chunk = g with { Batch = images };
        float[] columns = Scratch(ref t_columns, chunk.PatchSize * chunk.PatchCount);
        float[] dyFilterMajor = Scratch(ref t_filterMajor, filters * chunk.PatchCount);
        int plane = g.OutputPlane;
        for (int n = 0; n < images; n++)
            for (int f = 0; f < filters; f++)
                dy.AsSpan(((firstImage + n) * filters + f) * plane, plane).CopyTo(dyFilterMajor.AsSpan((f * images + n) * plane, plane));

        // This chunk's kernel gradient, [F, n·OH·OW] · [C·kh·kw, n·OH·OW]ᵀ, from its patches made again here.
        Im2Col(x.AsSpan(firstImage * g.Channels * g.InputPlane, chunk.InputLength), chunk, columns, 0, chunk.PatchCount);
        int kernelLength = filters * g.PatchSize;
        float[] own = Scratch(ref t_partial, kernelLength);
        CpuFastGemm.Multiply(false, true, dyFilterMajor, columns, filters, chunk.PatchSize, chunk.PatchCount, 1f, 0f, own, GemmKernelKind.Auto, 1);
        own.AsSpan(0, kernelLength).CopyTo(partials.AsSpan(chunkIndex * kernelLength, kernelLength));
        if (dx is null) return;
        // dCol [C·kh·kw, n·OH·OW] = kernelᵀ · dy, then every patch element back onto its pixel.
        CpuFastGemm.Multiply(true, false, kernel, dyFilterMajor, chunk.PatchSize, chunk.PatchCount, filters, 1f, 0f, columns, GemmKernelKind.Auto, 1);
        Col2Im(columns, chunk, dx.AsSpan(firstImage * g.Channels * g.InputPlane, chunk.InputLength), 0, chunk.PatchCount);
    }

    /// <summary>
    /// <see cref="CpuConvolution.Im2ColRows"/> for one chunk, with the rows of a patch copied by
    /// vector loads: MNIST-sized layers copy runs of 8 to 24 floats, where a span slice per run costs
    /// more than the copy.
    /// </summary>
    /// <param name="firstColumn">Where image 0 of <paramref name="x"/> starts in each row of col.</param>
    /// <param name="width">The length of col's rows (N·OH·OW of the whole batch).</param>
    private static void Im2Col(ReadOnlySpan<float> x, Window2D g, float[] col, int firstColumn, int width)
    {
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float columns = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(col), firstColumn);
        for (int row = 0; row < g.PatchSize; row++)
        {
            int c = row / g.WindowSize, i = row / g.WindowWidth % g.WindowHeight, j = row % g.WindowWidth;
            var (owFirst, owEnd) = CpuConvolution.ValidOutputRange(j, g.StrideWidth, g.PadLeft, g.Width, g.OutputWidth);
            for (int n = 0; n < g.Batch; n++)
            {
                for (int oh = 0; oh < g.OutputHeight; oh++)
                {
                    ref float outRow = ref Unsafe.Add(ref columns, row * width + (n * g.OutputHeight + oh) * g.OutputWidth);
                    int h = oh * g.StrideHeight - g.PadTop + i;
                    if ((uint)h >= (uint)g.Height || owFirst >= owEnd)
                    {
                        Clear(ref outRow, g.OutputWidth);
                        continue;
                    }
                    int inputRow = ((n * g.Channels + c) * g.Height + h) * g.Width - g.PadLeft + j;
                    Clear(ref outRow, owFirst);
                    Clear(ref Unsafe.Add(ref outRow, owEnd), g.OutputWidth - owEnd);
                    if (g.StrideWidth == 1) Copy(ref Unsafe.Add(ref source, inputRow + owFirst), ref Unsafe.Add(ref outRow, owFirst), owEnd - owFirst);
                    else
                        for (int ow = owFirst; ow < owEnd; ow++) Unsafe.Add(ref outRow, ow) = Unsafe.Add(ref source, inputRow + ow * g.StrideWidth);
                }
            }
        }
    }

    /// <summary><see cref="CpuConvolution.Col2ImPlanes"/> for one chunk (dx += col2im(dCol)), the runs added by vector.</summary>
    private static void Col2Im(float[] dCol, Window2D g, Span<float> dx, int firstColumn, int width)
    {
        ref float columns = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dCol), firstColumn);
        ref float image0 = ref MemoryMarshal.GetReference(dx);
        for (int plane = 0; plane < g.Batch * g.Channels; plane++)
        {
            int n = plane / g.Channels, c = plane % g.Channels;
            ref float image = ref Unsafe.Add(ref image0, plane * g.InputPlane);
            for (int i = 0; i < g.WindowHeight; i++)
            {
                for (int j = 0; j < g.WindowWidth; j++)
                {
                    int row = (c * g.WindowHeight + i) * g.WindowWidth + j;
                    var (owFirst, owEnd) = CpuConvolution.ValidOutputRange(j, g.StrideWidth, g.PadLeft, g.Width, g.OutputWidth);
                    for (int oh = 0; oh < g.OutputHeight; oh++)
                    {
                        int h = oh * g.StrideHeight - g.PadTop + i;
                        if ((uint)h >= (uint)g.Height) continue;
                        ref float source = ref Unsafe.Add(ref columns, row * width + (n * g.OutputHeight + oh) * g.OutputWidth);
                        int imageRow = h * g.Width - g.PadLeft + j;
                        if (g.StrideWidth == 1) Add(ref Unsafe.Add(ref source, owFirst), ref Unsafe.Add(ref image, imageRow + owFirst), owEnd - owFirst);
                        else
                            for (int ow = owFirst; ow < owEnd; ow++) Unsafe.Add(ref image, imageRow + ow * g.StrideWidth) += Unsafe.Add(ref source, ow);
                    }
                }
            }
        }
    }

    private static void Copy(ref float source, ref float destination, int count)
    {
        int k = 0;
        for (; k <= count - Vector256<float>.Count; k += Vector256<float>.Count)
            Vector256.LoadUnsafe(ref source, (nuint)k).StoreUnsafe(ref destination, (nuint)k);
        for (; k < count; k++) Unsafe.Add(ref destination, k) = Unsafe.Add(ref source, k);
    }

    // Element by element the same additions as the reference's, so dx keeps its bits.
    private static void Add(ref float source, ref float destination, int count)
    {
        int k = 0;
        for (; k <= count - Vector256<float>.Count; k += Vector256<float>.Count)
            (Vector256.LoadUnsafe(ref destination, (nuint)k) + Vector256.LoadUnsafe(ref source, (nuint)k)).StoreUnsafe(ref destination, (nuint)k);
        for (; k < count; k++) Unsafe.Add(ref destination, k) += Unsafe.Add(ref source, k);
    }

    private static void Clear(ref float destination, int count)
    {
        for (int k = 0; k < count; k++) Unsafe.Add(ref destination, k) = 0f;
    }

    private static float[] Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }
}
