using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The AVX2 kernel gradient of a convolution whose output a max pooling reads, from the nonzero dy alone. A pooling
/// window passes its gradient to one position per filter, so a 2×2 pooling leaves three quarters of each dy plane
/// zero (more where the fused ReLU is off), and the dense form's tiles (<see
/// cref="GemmMicroKernels.Tile6x16Elements"/>) multiply those zeros like any other value. Here each filter's sums
/// run over the positions where its dy is nonzero, in the order the dense form takes them, each patch element one
/// chain of multiply-adds as there. A skipped product would have added ±0 to a sum that is never −0 (it starts at
/// +0, and a sum that rounds to zero is +0), so the results are the dense form's bit for bit wherever the layer's
/// input is finite.
/// </summary>
/// <remarks>
/// Channels-last, a window row's kw·C patch elements are contiguous: each run of up to 12 vectors of it is summed
/// in registers over the filter's nonzero positions, one broadcast of dy and one load of pixels per vector. The input
/// gradient keeps its dense tiles: there, skipping zeros means a load of the kernel per term where a dense step
/// shares it across six positions, and a tile of six positions runs as long as its row with the most nonzero
/// filters; on Zen 3 that came out slower than the dense tiles.
/// </remarks>
internal static unsafe class SparsePooledGradient
{
    /// <summary>Whether the kernel gradient of this geometry, behind a max pooling, takes this form: on AVX2, with
    /// every window inside the image and each window row whole vectors (channels in eights).</summary>
    public static bool ServesKernelGradient(Window2D g, GemmKernelKind kind) =>
        kind == GemmKernelKind.Vector256 && g.WindowsInsideImage && g.Channels % 8 == 0;

    /// <summary>
    /// partial [F, stride] at column (i·kw + j)·C + c = Σ over the chunk's positions, in order, of dy × patch element
    /// (c, i, j): <paramref name="pixels"/> the chunk's images channels-last [n, H, W, C], <paramref name="dy"/> its
    /// dy [n, F, OH, OW].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelGradient(float* pixels, float* dy, Window2D g, int images, int filters, float* partial,
        int stride)
    {
        int plane = g.OutputPlane, imageLength = g.Channels * g.InputPlane;
        int rowLength = g.WindowWidth * g.Channels, rowStride = g.Width * g.Channels;
        int[] cornerArray = FastConvolution.Scratch(ref t_corners, plane),
            cornerOfArray = FastConvolution.Scratch(ref t_cornerOf, plane);
        float[] valueArray = FastConvolution.Scratch(ref t_values, plane);
        for (int q = 0; q < plane; q++) cornerOfArray[q] = g.ChannelsLastCorner(q);
        fixed (int* corners = cornerArray, cornerOf = cornerOfArray)
        fixed (float* values = valueArray)
        {
            // Image by image, so that the image's pixels (18–22 KB for the MNIST CNNs' second layers) stay in L1
            // while every filter runs over them; each sum goes on from one image to the next through partial.
            for (int n = 0; n < images; n++)
            {
                float* image = pixels + (nint)n * imageLength;
                for (int f = 0; f < filters; f++)
                {
                    int count = NonzeroOf(dy + ((nint)n * filters + f) * plane, plane, cornerOf, corners, values);
                    // Nothing to add to the sums so far; the first image still writes its zeros.
                    if (count == 0 && n > 0) continue;
                    bool add = n > 0;
                    float* target = partial + (nint)f * stride;
                    for (int i = 0; i < g.WindowHeight; i++)
                    {
                        float* row = image + (nint)i * rowStride, into = target + i * rowLength;
                        int e = 0;
                        for (; e + 96 <= rowLength; e += 96) Products12(row + e, corners, values, count, into + e, add);
                        for (; e + 64 <= rowLength; e += 64) Products8(row + e, corners, values, count, into + e, add);
                        for (; e + 32 <= rowLength; e += 32) Products4(row + e, corners, values, count, into + e, add);
                        for (; e < rowLength; e += 8) Products1(row + e, corners, values, count, into + e, add);
                    }
                }
            }
        }
    }

    /// <summary>The nonzero values of plane [length] in order and their window corners (cornerOf[q]); returns how
    /// many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NonzeroOf(float* plane, int length, int* cornerOf, int* corners, float* values)
    {
        int q = 0, count = 0;
        for (; q + 8 <= length; q += 8)
        {
            // Eight at a time: most are zero, and the mask says which are not.
            uint mask = (uint)Vector256.ExtractMostSignificantBits(
                ~Vector256.Equals(Vector256.Load(plane + q), Vector256<float>.Zero));
            while (mask != 0)
            {
                int r = System.Numerics.BitOperations.TrailingZeroCount(mask);
                corners[count] = cornerOf[q + r];
                values[count++] = plane[q + r];
                mask &= mask - 1;
            }
        }
        for (; q < length; q++)
        {
            if (plane[q] == 0f) continue;
            corners[count] = cornerOf[q];
            values[count++] = plane[q];
        }
        return count;
    }

    // target [8·k] = Σ over the listed positions p of values[p] × row [8·k] at corners[p], each element one chain of
    // multiply-adds from +0, or, where add is set, on from target's values.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products12(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        if (add)
        {
            (a0, a1, a2, a3) = (Vector256.Load(target), Vector256.Load(target + 8), Vector256.Load(target + 16),
                Vector256.Load(target + 24));
            (a4, a5, a6, a7) = (Vector256.Load(target + 32), Vector256.Load(target + 40), Vector256.Load(target + 48),
                Vector256.Load(target + 56));
            (a8, a9, a10, a11) = (Vector256.Load(target + 64), Vector256.Load(target + 72),
                Vector256.Load(target + 80), Vector256.Load(target + 88));
        }
        for (int p = 0; p < count; p++)
        {
            float* x = row + corners[p];
            Vector256<float> v = Vector256.Create(values[p]);
            a0 = Fma.MultiplyAdd(Vector256.Load(x), v, a0); a1 = Fma.MultiplyAdd(Vector256.Load(x + 8), v, a1);
            a2 = Fma.MultiplyAdd(Vector256.Load(x + 16), v, a2); a3 = Fma.MultiplyAdd(Vector256.Load(x + 24), v, a3);
            a4 = Fma.MultiplyAdd(Vector256.Load(x + 32), v, a4); a5 = Fma.MultiplyAdd(Vector256.Load(x + 40), v, a5);
            a6 = Fma.MultiplyAdd(Vector256.Load(x + 48), v, a6); a7 = Fma.MultiplyAdd(Vector256.Load(x + 56), v, a7);
            a8 = Fma.MultiplyAdd(Vector256.Load(x + 64), v, a8); a9 = Fma.MultiplyAdd(Vector256.Load(x + 72), v, a9);
            a10 = Fma.MultiplyAdd(Vector256.Load(x + 80), v, a10);
            a11 = Fma.MultiplyAdd(Vector256.Load(x + 88), v, a11);
        }
        Vector256.Store(a0, target); Vector256.Store(a1, target + 8); Vector256.Store(a2, target + 16);
        Vector256.Store(a3, target + 24); Vector256.Store(a4, target + 32); Vector256.Store(a5, target + 40);
        Vector256.Store(a6, target + 48); Vector256.Store(a7, target + 56); Vector256.Store(a8, target + 64);
        Vector256.Store(a9, target + 72); Vector256.Store(a10, target + 80); Vector256.Store(a11, target + 88);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products8(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<float> a4 = default, a5 = default, a6 = default, a7 = default;
        if (add)
        {
            (a0, a1, a2, a3) = (Vector256.Load(target), Vector256.Load(target + 8), Vector256.Load(target + 16),
                Vector256.Load(target + 24));
            (a4, a5, a6, a7) = (Vector256.Load(target + 32), Vector256.Load(target + 40), Vector256.Load(target + 48),
                Vector256.Load(target + 56));
        }
        for (int p = 0; p < count; p++)
        {
            float* x = row + corners[p];
            Vector256<float> v = Vector256.Create(values[p]);
            a0 = Fma.MultiplyAdd(Vector256.Load(x), v, a0); a1 = Fma.MultiplyAdd(Vector256.Load(x + 8), v, a1);
            a2 = Fma.MultiplyAdd(Vector256.Load(x + 16), v, a2); a3 = Fma.MultiplyAdd(Vector256.Load(x + 24), v, a3);
            a4 = Fma.MultiplyAdd(Vector256.Load(x + 32), v, a4); a5 = Fma.MultiplyAdd(Vector256.Load(x + 40), v, a5);
            a6 = Fma.MultiplyAdd(Vector256.Load(x + 48), v, a6); a7 = Fma.MultiplyAdd(Vector256.Load(x + 56), v, a7);
        }
        Vector256.Store(a0, target); Vector256.Store(a1, target + 8); Vector256.Store(a2, target + 16);
        Vector256.Store(a3, target + 24); Vector256.Store(a4, target + 32); Vector256.Store(a5, target + 40);
        Vector256.Store(a6, target + 48); Vector256.Store(a7, target + 56);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products4(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        if (add)
            (a0, a1, a2, a3) = (Vector256.Load(target), Vector256.Load(target + 8), Vector256.Load(target + 16),
                Vector256.Load(target + 24));
        for (int p = 0; p < count; p++)
        {
            float* x = row + corners[p];
            Vector256<float> v = Vector256.Create(values[p]);
            a0 = Fma.MultiplyAdd(Vector256.Load(x), v, a0); a1 = Fma.MultiplyAdd(Vector256.Load(x + 8), v, a1);
            a2 = Fma.MultiplyAdd(Vector256.Load(x + 16), v, a2); a3 = Fma.MultiplyAdd(Vector256.Load(x + 24), v, a3);
        }
        Vector256.Store(a0, target); Vector256.Store(a1, target + 8); Vector256.Store(a2, target + 16);
        Vector256.Store(a3, target + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Products1(float* row, int* corners, float* values, int count, float* target, bool add)
    {
        Vector256<float> a0 = add ? Vector256.Load(target) : default;
        for (int p = 0; p < count; p++)
            a0 = Fma.MultiplyAdd(Vector256.Load(row + corners[p]), Vector256.Create(values[p]), a0);
        Vector256.Store(a0, target);
    }

    // Per thread: the chunk's nonzero dy of one filter (window corners and values), each position's corner.
    [ThreadStatic] private static int[]? t_corners;
    [ThreadStatic] private static int[]? t_cornerOf;
    [ThreadStatic] private static float[]? t_values;
}
