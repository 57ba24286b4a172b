using ILGPU;

namespace GpuNet.Kernels;

/// <summary>
/// Fill, addition, the dense bias, the activations and PReLU. Every kernel is a grid-stride loop,
/// so the host may launch as few groups as suit the device; backward kernels add into dx unless
/// told to set it (for a gradient no other op writes).
/// </summary>
public static class ElementwiseKernels
{
    /// <summary>y[0..length) = value.</summary>
    [KernelFor("Fill")]
    public static void Fill(ArrayView<float> y, int length, float value)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride) y[i] = value;
    }

    /// <summary>y = a + b, all [length].</summary>
    [KernelFor("Add")]
    public static void Add(ArrayView<float> a, ArrayView<float> b, int length, ArrayView<float> y)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride) y[i] = a[i] + b[i];
    }

    /// <summary>x [rows, cols] += bias [cols] on every row.</summary>
    [KernelFor("AddBias")]
    public static void AddBias(ArrayView<float> bias, int rows, int cols, ArrayView<float> x)
    {
        long length = (long)rows * cols;
        int stride = Grid.DimX * Group.DimX;
        for (long i = Grid.GlobalIndex.X; i < length; i += stride) x[i] += bias[i % cols];
    }

    /// <summary>dBias [cols] += Σ_r dy [rows, cols]: a thread per column, rows added in order.</summary>
    [KernelFor("BiasGradient", "DenseBackward")]
    public static void BiasGradient(ArrayView<float> dy, int rows, int cols, ArrayView<float> dBias)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int c = Grid.GlobalIndex.X; c < cols; c += stride)
        {
            float sum = dBias[c];
            for (int r = 0; r < rows; r++) sum += dy[(long)r * cols + c];
            dBias[c] = sum;
        }
    }

    /// <summary>y = f(x) over [length].</summary>
    [KernelFor("ActivationForward")]
    public static void ActivationForward(int kind, float alpha, ArrayView<float> x, int length, ArrayView<float> y)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride) y[i] = DeviceMath.Activate(kind, alpha, x[i]);
    }

    /// <summary>dx (+)= f′ · dy, from x and y = f(x): added when <paramref name="accumulate"/> is 1, else
    /// set.</summary>
    [KernelFor("ActivationBackward", "ActivationBackwardSet")]
    public static void ActivationBackward(int kind, float alpha, ArrayView<float> x, ArrayView<float> y,
        ArrayView<float> dy, int length, int accumulate, ArrayView<float> dx)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float gradient = DeviceMath.ActivationGradient(kind, alpha, x[i], y[i], dy[i]);
            dx[i] = accumulate != 0 ? dx[i] + gradient : gradient;
        }
    }

    /// <summary>y [batch, units] = x where x &gt; 0, alpha[u] · x otherwise.</summary>
    [KernelFor("PReluForward")]
    public static void PReluForward(ArrayView<float> x, ArrayView<float> alpha, int batch, int units,
        ArrayView<float> y)
    {
        long length = (long)batch * units;
        int stride = Grid.DimX * Group.DimX;
        for (long i = Grid.GlobalIndex.X; i < length; i += stride)
        {
            float v = x[i];
            y[i] = v > 0f ? v : alpha[i % units] * v;
        }
    }

    /// <summary>
    /// A thread per unit: dx += dy · (x &gt; 0 ? 1 : alpha) where <paramref name="hasDx"/>, and
    /// dAlpha[u] += Σ_n dy · x where x ≤ 0, in batch order.
    /// </summary>
    [KernelFor("PReluBackward")]
    public static void PReluBackward(ArrayView<float> x, ArrayView<float> alpha, ArrayView<float> dy, int batch,
        int units, int hasDx, ArrayView<float> dx, ArrayView<float> dAlpha)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int u = Grid.GlobalIndex.X; u < units; u += stride)
        {
            float sum = 0f;
            for (int n = 0; n < batch; n++)
            {
                long i = (long)n * units + u;
                float v = x[i];
                if (v > 0f)
                {
                    if (hasDx != 0) dx[i] += dy[i];
                }
                else
                {
                    sum += dy[i] * v;
                    if (hasDx != 0) dx[i] += alpha[u] * dy[i];
                }
            }
            dAlpha[u] += sum;
        }
    }
}
