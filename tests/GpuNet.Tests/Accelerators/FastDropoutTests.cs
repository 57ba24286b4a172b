using GpuNet.Accelerators.Cpu;
using GpuNet.Kernels;
using GpuNet.Accelerators.Cpu.Reference;
using GpuNet.Accelerators.Cpu.Fast;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// The vectorised Philox dropout draws exactly the reference's mask: each element's fate is the
/// function of (seed, stream, index) the ILGPU kernel computes too, so any difference is a bug.
/// </summary>
public sealed class FastDropoutTests
{
    public static TheoryData<int, int> WidthsAndLengths()
    {
        var data = new TheoryData<int, int>();
        foreach (int width in VectorPaths.Widths)
            foreach (int length in FastKernelInputs.Lengths) data.Add(width, length);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Mask_and_output_are_bitwise_the_reference(int width, int length)
    {
        VectorPaths.SkipUnlessSupported(width);
        // A seed and a stream with both 32-bit halves set, as the training step's dropout streams have.
        const ulong seed = 0x1234_5678_9ABC_DEF1, stream = 0x4000_0000_0000UL + (77UL << 12) + 3;
        float[] x = FastKernelInputs.Values(30, length);
        float[] expectedY = new float[length], expectedMask = new float[length];
        float[] actualY = new float[length], actualMask = new float[length];
        ReferenceDropout.Forward(x, length, 0.2f, seed, stream, expectedY, expectedMask);
        FastDropout.Range(x, 0, length, 0.2f, seed, stream, actualY, actualMask, width);
        FastKernelInputs.AssertIdentical(expectedMask, actualMask, $"mask ({width}-bit)");
        FastKernelInputs.AssertIdentical(expectedY, actualY, $"y ({width}-bit)");
    }

    [SkippableTheory]
    [MemberData(nameof(WidthsAndLengths))]
    public void After_a_relu_mask_and_output_are_bitwise_the_reference(int width, int length)
    {
        VectorPaths.SkipUnlessSupported(width);
        const ulong seed = 0x1234_5678_9ABC_DEF1, stream = 0x4000_0000_0000UL + (77UL << 12) + 3;
        float[] x = WithZerosAndNaN(FastKernelInputs.Values(38, length));
        float[] expectedY = new float[length], expectedMask = new float[length];
        float[] actualY = new float[length], actualMask = new float[length];
        ReferenceDropout.Forward(x, length, 0.2f, seed, stream, expectedY, expectedMask, afterRelu: true);
        FastDropout.Range(x, 0, length, 0.2f, seed, stream, actualY, actualMask, width, afterRelu: true);
        FastKernelInputs.AssertIdentical(expectedMask, actualMask, $"mask ({width}-bit)");
        FastKernelInputs.AssertIdentical(expectedY, actualY, $"y ({width}-bit)");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void After_a_relu_the_reference_is_the_dropout_of_the_relu_with_the_relus_gradient_in_the_mask(int length)
    {
        float[] x = WithZerosAndNaN(FastKernelInputs.Values(39, length)), relu = new float[length];
        ReferenceActivations.Forward(GpuNet.Accelerators.ActivationKind.Relu, 0f, x, relu);
        float[] expectedY = new float[length], plainMask = new float[length];
        ReferenceDropout.Forward(relu, length, 0.3f, 5, 6, expectedY, plainMask);
        float[] y = new float[length], mask = new float[length];
        ReferenceDropout.Forward(x, length, 0.3f, 5, 6, y, mask, afterRelu: true);
        FastKernelInputs.AssertIdentical(expectedY, y, "y");
        FastKernelInputs.AssertIdentical(x.Select((v, i) => v > 0f ? plainMask[i] : 0f).ToArray(), mask, "mask");
    }

    // Every fourth value +0, −0 or NaN, so each vector step meets the ReLU's edge cases.
    private static float[] WithZerosAndNaN(float[] x)
    {
        for (int i = 0; i < x.Length; i += 4) x[i] = (i / 4 % 3) switch { 0 => 0f, 1 => -0f, _ => float.NaN };
        return x;
    }

    [SkippableTheory]
    [InlineData(512, 4)]
    [InlineData(512, 36)]
    [InlineData(512, 16388)]
    [InlineData(256, 4)]
    [InlineData(256, 36)]
    [InlineData(256, 16388)]
    public void A_range_that_starts_inside_a_vector_step_draws_by_index(int width, int start)
    {
        VectorPaths.SkipUnlessSupported(width);
        const int end = 20_000;
        float[] x = FastKernelInputs.Values(31, end);
        float[] y = new float[end], mask = new float[end];
        FastDropout.Range(x, start, end, 0.5f, 9, 10, y, mask, width);
        for (int i = start; i < end; i++)
        {
            float keep = Philox.Uniform(9, 10, (ulong)i) >= 0.5f ? 2f : 0f;
            if (mask[i] != keep) Assert.Fail($"mask[{i}]: got {mask[i]}, expected {keep}");
        }
        Assert.All(mask.AsSpan(0, start).ToArray(), m => Assert.Equal(0f, m));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.5f)]
    [InlineData(0.99f)]
    public void The_accelerator_kernel_over_threads_is_the_reference(float rate)
    {
        const int length = 3 * (1 << 14) * 16 + 5;
        float[] x = FastKernelInputs.Values(32, length);
        float[] expectedY = new float[length], expectedMask = new float[length];
        float[] actualY = new float[length], actualMask = new float[length];
        ReferenceDropout.Forward(x, length, rate, 42, 7, expectedY, expectedMask);
        FastDropout.Forward(x, length, rate, 42, 7, actualY, actualMask);
        FastKernelInputs.AssertIdentical(expectedMask, actualMask, "mask");
        FastKernelInputs.AssertIdentical(expectedY, actualY, "y");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Backward_accumulates_exactly_as_the_reference(int length)
    {
        float[] dy = FastKernelInputs.Values(33, length), mask = FastKernelInputs.Values(34, length, 0f, 2f);
        float[] expected = FastKernelInputs.Values(35, length), actual = (float[])expected.Clone();
        ReferenceDropout.Backward(dy, mask, length, expected);
        FastDropout.GradientRange(dy, mask, actual, 0, length, set: false);
        FastKernelInputs.AssertIdentical(expected, actual, "dx");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Backward_set_over_stale_values_is_the_reference_added_over_zeros(int length)
    {
        float[] dy = FastKernelInputs.Values(36, length), mask = FastKernelInputs.Values(37, length, 0f, 2f);
        // Dropped elements of negative gradients, and a gradient of −0: products of −0, which the reference's
        // add onto +0 turns into +0.
        for (int i = 0; i < length; i += 3) (dy[i], mask[i]) = (i % 2 == 0 ? -0f : -1.5f, i % 2 == 0 ? 1.25f : 0f);
        float[] expected = new float[length], actual = Enumerable.Repeat(float.NaN, length).ToArray();
        ReferenceDropout.Backward(dy, mask, length, expected);
        FastDropout.GradientRange(dy, mask, actual, 0, length, set: true);
        FastKernelInputs.AssertIdentical(expected, actual, "dx");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_accelerators_backward_over_threads_is_the_reference(bool set)
    {
        const int length = 3 * (1 << 14) + 5;
        float[] dy = FastKernelInputs.Values(40, length), mask = FastKernelInputs.Values(41, length, 0f, 2f);
        float[] before = set ? Enumerable.Repeat(float.NaN, length).ToArray() : FastKernelInputs.Values(42, length);
        float[] expected = set ? new float[length] : (float[])before.Clone();
        ReferenceDropout.Backward(dy, mask, length, expected);
        using var cpu = new CpuAccelerator();
        using GpuNet.Accelerators.DeviceBuffer dyBuffer = cpu.Allocate(length), maskBuffer = cpu.Allocate(length),
            dxBuffer = cpu.Allocate(length);
        cpu.Upload(dy, dyBuffer);
        cpu.Upload(mask, maskBuffer);
        cpu.Upload(before, dxBuffer);
        if (set) cpu.DropoutBackwardSet(dyBuffer, maskBuffer, length, dxBuffer);
        else cpu.DropoutBackward(dyBuffer, maskBuffer, length, dxBuffer);
        float[] actual = new float[length];
        cpu.Download(dxBuffer, actual);
        FastKernelInputs.AssertIdentical(expected, actual, set ? "dx, set" : "dx");
    }

    public static TheoryData<int> Lengths => FastKernelInputs.Lengths;
}
