using GpuNet.Reports;

namespace GpuNet.Tests.Reports;

public sealed class RasterImageTests
{
    [Fact]
    public void Weights_are_drawn_with_zero_mid_grey_and_the_largest_magnitude_at_an_extreme()
    {
        RasterImage image = RasterImage.FromWeights([0f, 0.5f, -2f, 2f], 2, 2);
        Assert.Equal(new byte[] { 128, 159, 0, 255 }, image.Pixels);
    }

    [Fact]
    public void Unit_values_map_to_black_and_white_and_are_clipped()
    {
        RasterImage image = RasterImage.FromUnitValues([0f, 1f, 0.5f, 7f, -1f, 0.2f], 3, 2);
        Assert.Equal(new byte[] { 0, 255, 128, 255, 0, 51 }, image.Pixels);
    }

    [Fact]
    public void Enlarged_repeats_each_pixel_as_a_block()
    {
        RasterImage image = RasterImage.FromUnitValues([0f, 1f], 2, 1).Enlarged(2);
        Assert.Equal((4, 2), (image.Width, image.Height));
        Assert.Equal(new byte[] { 0, 0, 255, 255, 0, 0, 255, 255 }, image.Pixels);
    }

    [Fact]
    public void Grid_places_tiles_row_by_row_with_gaps_of_background()
    {
        var tiles = Enumerable.Range(1, 5).Select(v => new RasterImage(3, 2, 1, background: (byte)v)).ToList();

        RasterImage grid = RasterImage.Grid(tiles, columns: 2, gap: 1, background: 99);

        // 2 columns × 3 px + 3 gaps; 3 rows × 2 px + 4 gaps.
        Assert.Equal((9, 10), (grid.Width, grid.Height));
        byte At(int x, int y) => grid.Pixels[y * grid.Width + x];
        Assert.Equal(99, At(0, 0));
        Assert.Equal(1, At(1, 1));
        Assert.Equal(2, At(5, 1));
        Assert.Equal(99, At(4, 1));
        Assert.Equal(3, At(1, 4));
        Assert.Equal(5, At(3, 8));
        Assert.Equal(99, At(5, 8)); // the empty sixth cell
    }
}
