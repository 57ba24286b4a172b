using GpuNet.Kernels;
using GpuNet.Training;

namespace GpuNet.Tests.Random;

public sealed class PhiloxTests
{
    // Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors).
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu,
        0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu,
        0x5001e420u, 0x24126ea1u)]
    public void Block_matches_published_vectors(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1,
        uint e2, uint e3)
    {
        Assert.Equal((e0, e1, e2, e3), Philox.Block(c0, c1, c2, c3, k0, k1));
    }

    [Fact]
    public void Uniform_is_in_unit_interval_with_mean_one_half()
    {
        double sum = 0;
        for (ulong i = 0; i < 100_000; i++)
        {
            float u = Philox.Uniform(42, 7, i);
            Assert.InRange(u, 0f, 0.99999995f);
            sum += u;
        }
        Assert.InRange(sum / 100_000, 0.497, 0.503);
    }

    [Fact]
    public void Normal_has_zero_mean_and_unit_variance()
    {
        double sum = 0, squares = 0;
        const int count = 100_000;
        for (ulong i = 0; i < count; i++)
        {
            double x = Philox.Normal(3, 1, i);
            sum += x;
            squares += x * x;
        }
        Assert.InRange(sum / count, -0.01, 0.01);
        Assert.InRange(squares / count, 0.98, 1.02);
    }

    [Fact]
    public void Shuffle_is_a_permutation_that_depends_on_seed_and_epoch_only()
    {
        int[] a = new int[1000], b = new int[1000], c = new int[1000], d = new int[1000];
        Shuffle.Permutation(5, 1, a);
        Shuffle.Permutation(5, 1, b);
        Shuffle.Permutation(5, 2, c);
        Shuffle.Permutation(6, 1, d);
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
        Assert.NotEqual(Enumerable.Range(0, 1000), a);
    }
}
