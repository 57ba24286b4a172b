using GpuNet.Layers;
using GpuNet.Models;
using GpuNet.Parameters;
using GpuNet.Serialization;

namespace GpuNet.Reports;

/// <summary>
/// What a network's first layer with weights looks for, drawn as pictures: each filter of a
/// first Conv2D (one tile per filter and input channel), or, for a first Dense layer on whole
/// images, each unit's incoming weights laid out as an image.
/// </summary>
public sealed record FirstLayerWeights(string Title, int TileWidth, int TileHeight, IReadOnlyList<RasterImage> Tiles)
{
    /// <summary>At most this many tiles: 64 pictures already show what a layer learned.</summary>
    public const int MaximumTiles = 64;

    /// <returns>Null when the first layer with weights is neither kind (its weights are no picture).</returns>
    public static FirstLayerWeights? Of(ModelGraph model, IReadOnlyList<NamedTensor> weights, int imageHeight,
        int imageWidth)
    {
        BuiltLayer? first = model.Layers.FirstOrDefault(l => l.Parameters.Any(IsKernel));
        if (first is null) return null;
        Parameter kernelParameter = first.Parameters.First(IsKernel);
        NamedTensor? kernel = weights.FirstOrDefault(w => w.Name == kernelParameter.Name);
        if (kernel is null) return null;
        int[] shape = kernel.Shape;
        var tiles = new List<RasterImage>();
        switch (first.Layer)
        {
            case Conv2DLayer when shape.Length == 4:
            {
                int filters = shape[0], channels = shape[1], height = shape[2], width = shape[3], area = height * width;
                for (int f = 0; f < filters && tiles.Count < MaximumTiles; f++)
                    for (int c = 0; c < channels && tiles.Count < MaximumTiles; c++)
                        tiles.Add(RasterImage.FromWeights(kernel.Values.AsSpan((f * channels + c) * area, area), width,
                            height));
                string what = channels == 1 ? $"{filters} filters" : $"{filters} filters × {channels} channels";
                return new FirstLayerWeights($"{first.Name}: {what}, {height}×{width}", width, height, tiles);
            }
            case DenseLayer when shape.Length == 2 && shape[0] == imageHeight * imageWidth:
            {
                // Kernel [inputs, units]: unit u's weights are column u.
                int inputs = shape[0], units = shape[1];
                var column = new float[inputs];
                for (int u = 0; u < units && tiles.Count < MaximumTiles; u++)
                {
                    for (int i = 0; i < inputs; i++) column[i] = kernel.Values[i * units + u];
                    tiles.Add(RasterImage.FromWeights(column, imageWidth, imageHeight));
                }
                string shown = units > tiles.Count ? $"the first {tiles.Count} of {units} units" : $"all {units} units";
                return new FirstLayerWeights($"{first.Name}: incoming weights of " +
                    $"{shown}, as {imageHeight}×{imageWidth} images", imageWidth, imageHeight, tiles);
            }
            default:
                return null;
        }
    }

    private static bool IsKernel(Parameter p) => p.Name.EndsWith("/kernel", StringComparison.Ordinal);
}
