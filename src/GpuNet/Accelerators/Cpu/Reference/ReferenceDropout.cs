using GpuNet.Kernels;
using GpuNet.Accelerators.Cpu.Contracts;

namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>
/// Inverted dropout with a counter-based mask: element i's fate depends only on (seed, stream, i),
/// so the CPU, a GPU and any thread split draw the same mask. The plain reference, one Philox
/// block at a time on one thread; <see cref="Fast.FastDropout"/> is what the accelerator runs.
/// </summary>
internal static class ReferenceDropout
{
    /// <param name="afterRelu">The dropout of ReLU(x) (<see cref="IAccelerator.DropoutForward"/>).</param>
    public static void Forward(float[] x, int length, float rate, ulong seed, ulong stream, float[] y, float[] mask,
        bool afterRelu = false)
    {
        BufferChecks.CheckDropout(x, length, rate, y, mask);
        Range(x, 0, length, rate, 1f / (1f - rate), seed, stream, y, mask, afterRelu);
    }

    // Elements [start, end), start a multiple of 4: one Philox block gives the four lanes of
    // indices i … i + 3, exactly as Philox.Uniform would draw them one by one.
    internal static void Range(float[] x, int start, int end, float rate, float scale, ulong seed, ulong stream,
        float[] y, float[] mask, bool afterRelu)
    {
        for (int i = start; i < end; i += 4)
        {
            ulong block = (ulong)i >> 2;
            var (b0, b1, b2, b3) = Philox.Block((uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32),
                (uint)seed, (uint)(seed >> 32));
            int lanes = Math.Min(4, end - i);
            mask[i] = Keep(b0, rate, scale);
            if (lanes > 1) mask[i + 1] = Keep(b1, rate, scale);
            if (lanes > 2) mask[i + 2] = Keep(b2, rate, scale);
            if (lanes > 3) mask[i + 3] = Keep(b3, rate, scale);
            for (int lane = 0; lane < lanes; lane++)
            {
                float value = x[i + lane];
                // ReLU first: a value that is not positive gives +0 (−0 and NaN included), as ReLU(x) · mask does.
                if (afterRelu && !(value > 0f)) (mask[i + lane], y[i + lane]) = (0f, 0f);
                else y[i + lane] = value * mask[i + lane];
            }
        }
    }

    private static float Keep(uint bits, float rate, float scale) => (bits >> 8) * (1f / 16777216f) >= rate ? scale
        : 0f;

    public static void Backward(float[] dy, float[] mask, int length, float[] dx)
    {
        BufferChecks.CheckDropoutGradient(dy, mask, length, dx);
        for (int i = 0; i < length; i++) dx[i] += dy[i] * mask[i];
    }
}
