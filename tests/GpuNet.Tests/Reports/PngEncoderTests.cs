using GpuNet.Reports;

namespace GpuNet.Tests.Reports;

public sealed class PngEncoderTests
{
    [Fact]
    public void Test_decoder_crc_matches_the_published_check_value() =>
        Assert.Equal(0xCBF43926u, PngDecoder.Crc32("123456789"u8));

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(28, 28, 1)]
    [InlineData(7, 3, 3)]
    [InlineData(301, 17, 3)]
    public void Encoded_image_decodes_to_the_same_size_and_pixels(int width, int height, int channels)
    {
        var image = new RasterImage(width, height, channels);
        new System.Random(width * 31 + height).NextBytes(image.Pixels);

        PngDecoder.Image decoded = PngDecoder.Decode(PngEncoder.Encode(image));

        Assert.Equal((width, height, channels), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void A_flipped_byte_breaks_the_chunk_crc()
    {
        var image = new RasterImage(4, 4, 1, background: 200);
        byte[] png = PngEncoder.Encode(image);
        png[20] ^= 0x01; // inside IHDR's data
        Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png));
    }
}
