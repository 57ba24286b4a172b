using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Cuda;

namespace GpuNet.Tests.Accelerators;

/// <summary>The vectorised 2×2 max pooling against the reference, values and arg-max bit for bit.</summary>
public sealed class FastPoolingTests
{
    [Theory]
    [InlineData(1, 1, 2, 2, false)]
    [InlineData(2, 3, 7, 7, false)]
    [InlineData(3, 2, 24, 24, false)]
    [InlineData(2, 2, 28, 34, false)]
    [InlineData(1, 2, 9, 67, false)]
    [InlineData(2, 2, 9, 67, true)]
    [InlineData(2, 2, 8, 64, true)]
    public void Max_forward_matches_the_reference(int batch, int channels, int height, int width, bool same)
    {
        Window2D g = KernelParity.Window(batch, channels, height, width, 2, 2, 2, same);
        float[] x = FastKernelInputs.Values(50, batch * channels * height * width);
        // Ties between a window's elements, so the first-maximum rule is exercised.
        for (int i = 0; i < x.Length; i += 5) x[i] = MathF.Round(x[i]);
        x[1] = float.NaN;
        int outputs = batch * channels * g.OutputPlane;
        float[] expected = new float[outputs], expectedArgmax = new float[outputs], actual = new float[outputs], actualArgmax = new float[outputs];
        CpuPooling.MaxForward(x, g, expected, expectedArgmax);
        CpuFastPooling.MaxForward(x, g, actual, actualArgmax);
        FastKernelInputs.AssertIdentical(expected, actual, "y");
        FastKernelInputs.AssertIdentical(expectedArgmax, actualArgmax, "argmax");
    }

    [Theory]
    [InlineData(24, 24, false, true)]
    [InlineData(7, 7, false, true)]
    [InlineData(7, 7, true, false)]
    public void Only_windows_wholly_inside_the_image_take_the_fast_path(int height, int width, bool same, bool fast) =>
        Assert.Equal(fast, CpuFastPooling.IsUnclippedTwoByTwo(KernelParity.Window(1, 1, height, width, 2, 2, 2, same)));
}
