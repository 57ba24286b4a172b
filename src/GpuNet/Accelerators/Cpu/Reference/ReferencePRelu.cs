using GpuNet.Accelerators.Cpu.Contracts;
using GpuNet.Accelerators.Cpu.Threads;

namespace GpuNet.Accelerators.Cpu.Reference;

/// <summary>PReLU over x [batch, units] with a learned slope alpha [units] for the negative side.</summary>
internal static class ReferencePRelu
{
    public static void Forward(float[] x, float[] alpha, int batch, int units, float[] y)
    {
        BufferChecks.CheckLength(x, (long)batch * units, nameof(x));
        BufferChecks.CheckLength(y, (long)batch * units, nameof(y));
        BufferChecks.CheckLength(alpha, units, nameof(alpha));
        CpuParallel.For(batch, units, (x, alpha, units, y),
            static (in (float[] X, float[] Alpha, int Units, float[] Y) s, int first, int last) =>
        {
            var (x, alpha, units, y) = s;
            for (int n = first; n < last; n++)
            {
                int offset = n * units;
                for (int u = 0; u < units; u++)
                {
                    float v = x[offset + u];
                    y[offset + u] = v > 0f ? v : alpha[u] * v;
                }
            }
        });
    }

    public static void Backward(float[] x, float[] alpha, float[] dy, int batch, int units, float[]? dx, float[] dAlpha)
    {
        BufferChecks.CheckLength(x, (long)batch * units, nameof(x));
        BufferChecks.CheckLength(dy, (long)batch * units, nameof(dy));
        // Units are independent: each thread sums its own slopes' gradients over the batch, in order.
        CpuParallel.For(units, batch, (x, alpha, dy, batch, units, dx, dAlpha),
            static (in (float[] X, float[] Alpha, float[] Dy, int Batch, int Units, float[]? Dx, float[] DAlpha) s,
                int first, int last) =>
        {
            var (x, alpha, dy, batch, units, dx, dAlpha) = s;
            for (int u = first; u < last; u++)
            {
                float sum = 0f;
                for (int n = 0; n < batch; n++)
                {
                    int i = n * units + u;
                    float v = x[i];
                    if (v > 0f)
                    {
                        if (dx is not null) dx[i] += dy[i];
                    }
                    else
                    {
                        sum += dy[i] * v;
                        if (dx is not null) dx[i] += alpha[u] * dy[i];
                    }
                }
                dAlpha[u] += sum;
            }
        });
    }
}
