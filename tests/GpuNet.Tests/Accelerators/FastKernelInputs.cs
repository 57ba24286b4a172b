using GpuNet.Tests.Numerics;

namespace GpuNet.Tests.Accelerators;

/// <summary>Seeded inputs and the odd sizes every fast CPU kernel is compared with its reference on.</summary>
internal static class FastKernelInputs
{
    /// <summary>One element, less than one vector, a vector and a bit, MNIST's 784, and a 120×512 batch plus a ragged
    /// tail.</summary>
    public static TheoryData<int> Lengths => new() { 1, 7, 10, 31, 33, 784, 120 * 512 + 3 };

    /// <summary>Uniform in [low, high), with zeros of both signs and a few large values spliced in where they
    /// fit.</summary>
    public static float[] Values(int seed, int length, float low = -2f, float high = 2f)
    {
        float[] values = RandomInputs.Uniform(new System.Random(seed), length, low, high);
        float[] special = [0f, -0f, 90f, -90f, 1e-30f, -1e-30f];
        for (int i = 0; i < special.Length && 3 * i < length; i++) values[3 * i] = special[i];
        return values;
    }

    /// <summary>Bit-for-bit equality, −0 against +0 included.</summary>
    public static void AssertIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}");
        }
    }
}
