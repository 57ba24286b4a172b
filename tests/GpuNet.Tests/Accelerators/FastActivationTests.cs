using GpuNet.Diagnostics;
using GpuNet.Accelerators;
using GpuNet.Accelerators.Cpu;
using GpuNet.Tests.Numerics;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>The vectorised activations, bias and addition against the plain reference kernels.</summary>
public sealed class FastActivationTests
{
    /// <summary>
    /// Sigmoid and tanh forward use TensorPrimitives' exp and tanh, a few ulps from MathF's; the
    /// absolute part covers results near zero (tanh of tiny x, sigmoid of large negative x).
    /// </summary>
    private static readonly Tolerance Transcendental = new(1e-7, 1e-6);

    public static TheoryData<int> Lengths => FastKernelInputs.Lengths;

    public static TheoryData<ActivationKind, int> KindsAndLengths()
    {
        var data = new TheoryData<ActivationKind, int>();
        foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
            foreach (int length in FastKernelInputs.Lengths) data.Add(kind, length);
        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndLengths))]
    public void Forward_matches_the_reference(ActivationKind kind, int length)
    {
        float[] x = FastKernelInputs.Values(1, length);
        float[] expected = new float[length], actual = new float[length];
        ReferenceActivations.Forward(kind, 0.3f, x, expected);
        FastActivations.Forward(kind, 0.3f, x, actual);
        if (kind is ActivationKind.Sigmoid or ActivationKind.Tanh)
            Transcendental.AssertClose(actual, expected, $"{kind} forward");
        else FastKernelInputs.AssertIdentical(expected, actual, $"{kind} forward");
    }

    /// <summary>
    /// The vector exp behind the sigmoid over the whole float range: saturated ends, the edges of
    /// its clamp, tiny arguments, infinities and NaN (which must stay NaN for the trainer to see it).
    /// </summary>
    [Fact]
    public void Sigmoid_matches_the_reference_over_the_whole_range()
    {
        var values = new List<float> { 0f, -0f, 1e-30f, -1e-30f, 87.3f, -87.3f, 88f, -88f, 88.5f, -88.5f, 100f, -100f,
            float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN };
        var random = new System.Random(5);
        for (int i = 0; i < 4000; i++) values.Add((float)(random.NextDouble() * 200 - 100));
        for (int i = 0; i < 4000; i++) values.Add((float)(random.NextDouble() * 10 - 5));
        float[] x = values.ToArray(), expected = new float[x.Length], actual = new float[x.Length];
        ReferenceActivations.Forward(ActivationKind.Sigmoid, 0f, x, expected);
        FastActivations.Forward(ActivationKind.Sigmoid, 0f, x, actual);
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(expected[i])) Assert.True(float.IsNaN(actual[i]), $"sigmoid({x[i]}) = {actual[i]}");
            else
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-7 + 1e-6 * Math.Abs(expected[i]),
                    $"sigmoid({x[i]:R}): got {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndLengths))]
    public void Backward_accumulates_exactly_as_the_reference(ActivationKind kind, int length)
    {
        float[] x = FastKernelInputs.Values(2, length), dy = FastKernelInputs.Values(3, length);
        float[] y = new float[length];
        ReferenceActivations.Forward(kind, 0.3f, x, y);
        // dx starts non-zero, so a kernel that overwrites instead of accumulating fails.
        float[] expected = FastKernelInputs.Values(4, length), actual = (float[])expected.Clone();
        ReferenceActivations.Backward(kind, 0.3f, x, y, dy, expected);
        FastActivations.Backward(kind, 0.3f, x, y, dy, actual);
        FastKernelInputs.AssertIdentical(expected, actual, $"{kind} backward");
    }

    [Theory]
    [MemberData(nameof(KindsAndLengths))]
    public void Setting_dx_gives_the_bits_of_adding_to_zeros_without_reading_dx(ActivationKind kind, int length)
    {
        float[] x = FastKernelInputs.Values(2, length), dy = FastKernelInputs.Values(3, length);
        // Negative zeros in dy, where every kind passes them on: over a zeroed dx they come out +0.
        for (int i = 0; i < length; i += 3)
        {
            x[i] = Math.Abs(x[i]) + 0.5f;
            dy[i] = -0f;
        }
        float[] y = new float[length];
        ReferenceActivations.Forward(kind, 0.3f, x, y);
        float[] expected = new float[length], actual = Enumerable.Repeat(float.NaN, length).ToArray();
        ReferenceActivations.Backward(kind, 0.3f, x, y, dy, expected);
        FastActivations.Backward(kind, 0.3f, x, y, dy, actual, set: true);
        FastKernelInputs.AssertIdentical(expected, actual, $"{kind} backward, set");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 10)]
    [InlineData(3, 31)]
    [InlineData(120, 512)]
    [InlineData(5, 515)]
    public void Bias_add_and_gradient_match_the_reference(int rows, int cols)
    {
        float[] bias = FastKernelInputs.Values(5, cols), dy = FastKernelInputs.Values(6, rows * cols);
        float[] expected = FastKernelInputs.Values(7, rows * cols), actual = (float[])expected.Clone();
        ReferenceActivations.AddBias(bias, rows, cols, expected);
        FastActivations.AddBias(bias, rows, cols, actual);
        FastKernelInputs.AssertIdentical(expected, actual, "bias add");

        float[] expectedGradient = (float[])bias.Clone(), actualGradient = (float[])bias.Clone();
        ReferenceActivations.BiasGradient(dy, rows, cols, expectedGradient);
        FastActivations.BiasGradient(dy, rows, cols, actualGradient);
        FastKernelInputs.AssertIdentical(expectedGradient, actualGradient, "bias gradient");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Accelerator_add_is_exact(int length)
    {
        float[] a = FastKernelInputs.Values(8, length), b = FastKernelInputs.Values(9, length);
        using var cpu = new CpuAccelerator();
        using DeviceBuffer aBuffer = cpu.Allocate(length), bBuffer = cpu.Allocate(length),
            yBuffer = cpu.Allocate(length);
        cpu.Upload(a, aBuffer);
        cpu.Upload(b, bBuffer);
        cpu.Add(aBuffer, bBuffer, length, yBuffer);
        float[] actual = new float[length], expected = new float[length];
        cpu.Download(yBuffer, actual);
        for (int i = 0; i < length; i++) expected[i] = a[i] + b[i];
        FastKernelInputs.AssertIdentical(expected, actual, "add");
    }

    [Fact]
    public void A_short_output_is_refused_before_anything_is_written()
    {
        float[] x = new float[40], y = new float[39];
        Assert.Throws<ArgumentException>(() => FastActivations.Forward(ActivationKind.Relu, 0f, x, y));
        Assert.Throws<ArgumentException>(() =>
            FastActivations.Backward(ActivationKind.Relu, 0f, y, x, x, new float[40]));
    }
}
