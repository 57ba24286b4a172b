using GpuNet.Data;

namespace GpuNet.Tests.Data;

/// <summary>
/// Pixels scaled a vector at a time against the division one pixel at a time: every byte value at
/// every lane, bit for bit, and lengths that leave a tail or fill no vector at all.
/// </summary>
public sealed class PixelScalingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(784)]
    [InlineData(256 * 32 + 5)]
    public void Every_pixel_is_its_value_over_255_bit_for_bit(int length)
    {
        byte[] pixels = Enumerable.Range(0, length).Select(i => (byte)(i * 33 + i / 256)).ToArray();
        float[] scaled = Enumerable.Repeat(-1f, length + 3).ToArray();
        PixelScaling.Scale(pixels, scaled);
        for (int i = 0; i < length; i++)
        {
            float expected = pixels[i] / 255f;
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(scaled[i]),
                $"pixel {i} = {pixels[i]}: expected {expected:R}, got {scaled[i]:R}");
        }
        Assert.All(scaled[length..], v => Assert.Equal(-1f, v));
    }

    [Fact]
    public void Every_byte_value_appears_at_every_lane_of_a_vector()
    {
        // Lane p of the vector at row r holds (r + p) mod 256: over 256 rows each lane takes every value.
        byte[] pixels = new byte[256 * 32];
        for (int r = 0; r < 256; r++)
            for (int p = 0; p < 32; p++)
                pixels[r * 32 + p] = (byte)(r + p);
        float[] scaled = new float[pixels.Length];
        PixelScaling.Scale(pixels, scaled);
        Assert.Equal(pixels.Select(v => v / 255f).ToArray(), scaled);
    }

    [Fact]
    public void Too_few_floats_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => PixelScaling.Scale(new byte[40], new float[39]));
        Assert.Contains("40 pixels", error.Message);
    }
}
