using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Ilgpu;

/// <summary>
/// Runs one kernel call on the CPU accelerator and on an ILGPU accelerator (ilgpu-cpu, or cuda
/// where a device is found), from the same seeded inputs, and compares the buffers the call writes.
/// </summary>
internal static class KernelParity
{
    /// <summary>
    /// Elementwise float32 arithmetic done in the same order: the only differences are the fast CPU
    /// path's vectorised exp/tanh, a GPU's approximate exp/log/sqrt and fused multiply-adds, and
    /// summation order in reductions.
    /// </summary>
    public static readonly Tolerance Float = new(1e-6, 1e-5);

    /// <summary>Kernels that only move or select values must agree bit for bit.</summary>
    public static readonly Tolerance Exact = new(0, 0);

    /// <summary>
    /// Run <paramref name="kernel"/> on both accelerators with buffers holding <paramref name="inputs"/>,
    /// then compare the buffers listed in <paramref name="outputs"/> (indices into inputs). Outputs
    /// start with random values too, so a backward kernel that overwrites instead of accumulating fails.
    /// </summary>
    public static void Check(string backend, string what, Tolerance tolerance, float[][] inputs, int[] outputs,
        Action<IAccelerator, DeviceBuffer[]> kernel)
    {
        using var cpu = new CpuAccelerator();
        using var other = AcceleratorCatalog.Create(backend);
        float[][] expected = KernelComparison.Run(cpu, inputs, outputs, kernel);
        float[][] actual = KernelComparison.Run(other, inputs, outputs, kernel);
        for (int o = 0; o < outputs.Length; o++)
            tolerance.AssertClose(actual[o], expected[o], $"{what}: buffer {outputs[o]}");
    }

    /// <summary>The buffers <paramref name="kernel"/> writes, run on the CPU accelerator: the inputs a later check
    /// starts from.</summary>
    public static float[][] OnCpu(float[][] inputs, int[] outputs, Action<IAccelerator, DeviceBuffer[]> kernel)
    {
        using var cpu = new CpuAccelerator();
        return KernelComparison.Run(cpu, inputs, outputs, kernel);
    }

    /// <summary>Keras's 'valid' or 'same' window arithmetic.</summary>
    public static Window2D Window(int batch, int channels, int height, int width, int windowHeight, int windowWidth,
        int stride, bool same)
    {
        int outputHeight = same ? (height + stride - 1) / stride : (height - windowHeight) / stride + 1;
        int outputWidth = same ? (width + stride - 1) / stride : (width - windowWidth) / stride + 1;
        int padTop = same ? Math.Max(0, (outputHeight - 1) * stride + windowHeight - height) / 2 : 0;
        int padLeft = same ? Math.Max(0, (outputWidth - 1) * stride + windowWidth - width) / 2 : 0;
        var window = new Window2D(batch, channels, height, width, windowHeight, windowWidth, stride, stride, padTop,
            padLeft, outputHeight, outputWidth);
        window.Validate();
        return window;
    }
}
