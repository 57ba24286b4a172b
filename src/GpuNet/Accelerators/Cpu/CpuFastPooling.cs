using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuNet.Accelerators.Cpu;

/// <summary>
/// Max pooling as the CPU accelerator runs it. The common 2×2 window at stride 2 with no window
/// over the border runs sixteen outputs at a time on AVX-512: two permutes split a row's even and
/// odd columns, and selects replace the reference's data-dependent branches, comparing in the
/// reference's row-major window order with a strict '>', so values and arg-max agree bit for bit
/// (ties and NaN included). Other windows, and CPUs without AVX-512, run the reference <see cref="CpuPooling"/>.
/// </summary>
internal static class CpuFastPooling
{
    public static void MaxForward(float[] x, Window2D g, float[] y, float[] argmax)
    {
        g.Validate();
        CpuConvolution.CheckLength(x, g.InputLength, nameof(x));
        CpuConvolution.CheckLength(y, (long)g.Batch * g.Channels * g.OutputPlane, nameof(y));
        CpuConvolution.CheckLength(argmax, (long)g.Batch * g.Channels * g.OutputPlane, nameof(argmax));
        CpuPooling.ForPlanes(g, (x, y, argmax), static (in (float[] X, float[] Y, float[] Argmax) s, in Window2D g, int plane) =>
        {
            ReadOnlySpan<float> input = s.X.AsSpan(plane * g.InputPlane, g.InputPlane);
            Span<float> y = s.Y.AsSpan(plane * g.OutputPlane, g.OutputPlane), argmax = s.Argmax.AsSpan(plane * g.OutputPlane, g.OutputPlane);
            if (IsUnclippedTwoByTwo(g) && Avx512F.IsSupported) MaxPlaneTwoByTwo(input, g, y, argmax);
            else CpuPooling.MaxPlane(input, g, y, argmax);
        });
    }

    /// <summary>A 2×2 window at stride 2 whose every window lies wholly inside the image.</summary>
    internal static bool IsUnclippedTwoByTwo(in Window2D g) =>
        g is { WindowHeight: 2, WindowWidth: 2, StrideHeight: 2, StrideWidth: 2, PadTop: 0, PadLeft: 0 }
        && 2 * g.OutputHeight <= g.Height && 2 * g.OutputWidth <= g.Width;

    private static void MaxPlaneTwoByTwo(ReadOnlySpan<float> input, in Window2D g, Span<float> y, Span<float> argmax)
    {
        int width = g.Width, outputWidth = g.OutputWidth;
        ref float values = ref MemoryMarshal.GetReference(y), where = ref MemoryMarshal.GetReference(argmax);
        Span<float> partialValues = stackalloc float[16], partialWhere = stackalloc float[16];
        for (int oh = 0; oh < g.OutputHeight; oh++)
        {
            int top = 2 * oh * width, row = oh * outputWidth;
            int ow = 0;
            for (; ow <= outputWidth - 16; ow += 16)
            {
                var (best, bestIndex) = SixteenWindows(input, top + 2 * ow, width);
                best.StoreUnsafe(ref values, (nuint)(row + ow));
                bestIndex.StoreUnsafe(ref where, (nuint)(row + ow));
            }
            // A row narrower than a vector (MNIST's 12 outputs) still runs vectorised while the
            // 32 floats read from each input row stay inside the plane; the extra lanes see the
            // next rows' values and are not stored.
            if (ow < outputWidth && top + width + 2 * ow + 32 <= input.Length)
            {
                var (best, bestIndex) = SixteenWindows(input, top + 2 * ow, width);
                best.CopyTo(partialValues);
                bestIndex.CopyTo(partialWhere);
                partialValues[..(outputWidth - ow)].CopyTo(y.Slice(row + ow));
                partialWhere[..(outputWidth - ow)].CopyTo(argmax.Slice(row + ow));
                continue;
            }
            for (; ow < outputWidth; ow++)
            {
                int best = top + 2 * ow;
                float bestValue = input[best];
                foreach (int candidate in (ReadOnlySpan<int>)[best + 1, best + width, best + width + 1])
                {
                    if (input[candidate] > bestValue)
                    {
                        bestValue = input[candidate];
                        best = candidate;
                    }
                }
                y[row + ow] = bestValue;
                argmax[row + ow] = best;
            }
        }
    }

    /// <summary>The maxima and their plane offsets of the sixteen windows whose top-left corners are first, first + 2, …; reads 32 floats of two rows.</summary>
    private static (Vector512<float> Best, Vector512<float> Where) SixteenWindows(ReadOnlySpan<float> input, int first, int width)
    {
        ref float source = ref MemoryMarshal.GetReference(input);
        // Indices into the 32 floats of two consecutive vectors; also each window's column offset.
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odds = evens + Vector512<int>.One;
        nuint topLeft = (nuint)first, bottomLeft = topLeft + (nuint)width;
        Vector512<float> a0 = Vector512.LoadUnsafe(ref source, topLeft), a1 = Vector512.LoadUnsafe(ref source, topLeft + 16);
        Vector512<float> b0 = Vector512.LoadUnsafe(ref source, bottomLeft), b1 = Vector512.LoadUnsafe(ref source, bottomLeft + 16);
        var index = Vector512.Create(first) + evens;
        // Window order (top, left), (top, right), (bottom, left), (bottom, right).
        var best = Avx512F.PermuteVar16x32x2(a0, evens, a1);
        var bestIndex = index;
        Take(Avx512F.PermuteVar16x32x2(a0, odds, a1), index + Vector512<int>.One, ref best, ref bestIndex);
        Take(Avx512F.PermuteVar16x32x2(b0, evens, b1), index + Vector512.Create(width), ref best, ref bestIndex);
        Take(Avx512F.PermuteVar16x32x2(b0, odds, b1), index + Vector512.Create(width + 1), ref best, ref bestIndex);
        return (best, Vector512.ConvertToSingle(bestIndex));
    }

    private static void Take(Vector512<float> candidate, Vector512<int> index, ref Vector512<float> best, ref Vector512<int> bestIndex)
    {
        var greater = Vector512.GreaterThan(candidate, best);
        best = Vector512.ConditionalSelect(greater, candidate, best);
        bestIndex = Vector512.ConditionalSelect(greater.AsInt32(), index, bestIndex);
    }
}
