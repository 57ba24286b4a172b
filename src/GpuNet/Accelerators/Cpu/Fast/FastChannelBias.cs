using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// A convolution's per-channel bias and its gradient over [batch, channels, spatial] as the CPU
/// accelerator runs them; <see cref="ReferenceConvolution"/> holds the plain references. The bias add
/// is the reference's arithmetic, so exact; the gradient sums in a different (fixed) order.
/// </summary>
internal static unsafe class FastChannelBias
{
    /// <summary>y[n, c, s] += bias[c].</summary>
    public static void Add(float[] bias, int batch, int channels, int spatial, float[] y)
    {
        BufferChecks.CheckLength(y, (long)batch * channels * spatial, nameof(y));
        BufferChecks.CheckLength(bias, channels, nameof(bias));
        CpuParallel.For(batch * channels, spatial, (bias, channels, spatial, y),
            static (in (float[] Bias, int Channels, int Spatial, float[] Y) s, int first, int last) =>
        {
            for (int plane = first; plane < last; plane++)
            {
                Span<float> values = s.Y.AsSpan(plane * s.Spatial, s.Spatial);
                TensorPrimitives.Add(values, s.Bias[plane % s.Channels], values);
            }
        });
    }

    /// <summary>dBias[c] += Σ_n Σ_s dy[n, c, s]; a channel per work item, so the sum does not depend on the thread
    /// count.</summary>
    public static void Gradient(float[] dy, int batch, int channels, int spatial, float[] dBias)
    {
        BufferChecks.CheckLength(dy, (long)batch * channels * spatial, nameof(dy));
        BufferChecks.CheckLength(dBias, channels, nameof(dBias));
        CpuParallel.For(channels, (long)batch * spatial, (dy, batch, channels, spatial, dBias),
            static (in (float[] Dy, int Batch, int Channels, int Spatial, float[] DBias) s, int first, int last) =>
        {
            for (int c = first; c < last; c++)
            {
                double sum = 0;
                for (int n = 0; n < s.Batch; n++)
                    sum += SumInDouble(s.Dy.AsSpan((n * s.Channels + c) * s.Spatial, s.Spatial));
                s.DBias[c] += (float)sum;
            }
        });
    }

    /// <summary>
    /// Σ values in double, in eight interleaved partial sums added together at the end: a fixed
    /// order that depends on the length alone, so the sum is the same on every run and thread
    /// count, and within a rounding of a double of the plain loop's. That loop makes one dependent
    /// double addition per element, a few cycles each, which is what made it slow.
    /// </summary>
    internal static double SumInDouble(ReadOnlySpan<float> values)
    {
        var sums0 = Vector256<double>.Zero;
        var sums1 = Vector256<double>.Zero;
        ref float start = ref MemoryMarshal.GetReference(values);
        int i = 0;
        for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
            sums0 += lower;
            sums1 += upper;
        }
        double sum = Vector256.Sum(sums0 + sums1);
        for (; i < values.Length; i++) sum += values[i];
        return sum;
    }

    /// <summary>
    /// <see cref="SumInDouble"/> of a plane of <paramref name="height"/> rows of <paramref name="width"/> floats that
    /// lie <paramref name="stride"/> floats apart, bit for bit: each vector of eight is the packed plane's, put
    /// together from the end of one row and the start of the next where it straddles them. Reads past the end of a
    /// row only where another row follows.
    /// </summary>
    internal static double SumRowsInDouble(float* rows, int stride, int width, int height)
    {
        int length = width * height;
        if (stride == width) return SumInDouble(new ReadOnlySpan<float>(rows, length));
        if (width < Vector256<float>.Count)
        {
            // So narrow that eight floats can straddle more than two rows: packed here.
            float[] packed = FastConvolution.Scratch(ref t_packed, length);
            for (int r = 0; r < height; r++)
                new ReadOnlySpan<float>(rows + (nint)r * stride, width).CopyTo(packed.AsSpan(r * width, width));
            return SumInDouble(packed.AsSpan(0, length));
        }
        var sums0 = Vector256<double>.Zero;
        var sums1 = Vector256<double>.Zero;
        float* row = rows;
        int column = 0, i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            int left = width - column;
            Vector256<float> values = Vector256.Load(row + column);
            if (left > Vector256<float>.Count)
            {
                column += Vector256<float>.Count;
            }
            else
            {
                // Lanes [left, 8) are the first floats of the next row: read where it starts, less left.
                row += stride;
                if (left < Vector256<float>.Count)
                    values = Vector256.ConditionalSelect(PartialStores.FirstLanes(left), values,
                        Vector256.Load(row - left));
                column = Vector256<float>.Count - left;
            }
            var (lower, upper) = Vector256.Widen(values);
            sums0 += lower;
            sums1 += upper;
        }
        double sum = Vector256.Sum(sums0 + sums1);
        for (; i < length; i++) sum += rows[(nint)(i / width) * stride + i % width];
        return sum;
    }

    [ThreadStatic] private static float[]? t_packed;
}
