using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// Inverted dropout with a counter-based mask: element i is kept iff Philox.Uniform(seed, stream, i)
/// ≥ rate, drawn by <see cref="Philox"/> itself, so every accelerator draws the same mask bit for bit.
/// </summary>
public static class DropoutKernels
{
    /// <summary>
    /// mask[i] = scale where kept and 0 where dropped, y = x · mask, all [length]; scale = 1 / (1 − rate)
    /// computed once on the host in float, as the CPU does. A thread per Philox block of four elements.
    /// With <paramref name="afterRelu"/> (1), the dropout of ReLU(x): mask[i] = 0 and y[i] = +0 where x[i] is not
    /// positive.
    /// </summary>
    [KernelFor("DropoutForward")]
    public static void Forward(ArrayView<float> x, int length, float rate, float scale, ulong seed, ulong stream,
        int afterRelu, ArrayView<float> y, ArrayView<float> mask)
    {
        long blocks = ((long)length + 3) / 4;
        int gridStride = Grid.DimX * Group.DimX;
        for (long block = Grid.GlobalIndex.X; block < blocks; block += gridStride)
        {
            var (b0, b1, b2, b3) = Philox.Block((uint)block, (uint)((ulong)block >> 32), (uint)stream,
                (uint)(stream >> 32), (uint)seed, (uint)(seed >> 32));
            long first = block * 4;
            Keep(x, y, mask, first, length, b0, rate, scale, afterRelu);
            Keep(x, y, mask, first + 1, length, b1, rate, scale, afterRelu);
            Keep(x, y, mask, first + 2, length, b2, rate, scale, afterRelu);
            Keep(x, y, mask, first + 3, length, b3, rate, scale, afterRelu);
        }
    }

    /// <summary>dx += dy · mask.</summary>
    [KernelFor("DropoutBackward")]
    public static void Backward(ArrayView<float> dy, ArrayView<float> mask, int length, ArrayView<float> dx)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride) dx[i] += dy[i] * mask[i];
    }

    /// <summary>dx = 0 + dy · mask, for a gradient no other op writes: dx is not read, and a product of −0 comes out
    /// +0 as from <see cref="Backward"/> over zeros.</summary>
    [KernelFor("DropoutBackwardSet")]
    public static void BackwardSet(ArrayView<float> dy, ArrayView<float> mask, int length, ArrayView<float> dx)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride) dx[i] = 0f + dy[i] * mask[i];
    }

    private static void Keep(ArrayView<float> x, ArrayView<float> y, ArrayView<float> mask, long i, int length,
        uint bits, float rate, float scale, int afterRelu)
    {
        if (i >= length) return;
        float keep = (bits >> 8) * Philox.UnitScale >= rate ? scale : 0f, value = x[i];
        if (afterRelu != 0 && !(value > 0f))
        {
            mask[i] = 0f;
            y[i] = 0f;
            return;
        }
        mask[i] = keep;
        y[i] = value * keep;
    }
}
