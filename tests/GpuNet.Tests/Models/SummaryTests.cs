using GpuNet.Layers;
using GpuNet.Models;
using GpuNet.Parameters;

namespace GpuNet.Tests.Models;

/// <summary>Parameter counts and output shapes equal Keras's for the lecture models.</summary>
public sealed class SummaryTests
{
    [Fact]
    public void Lecture_mlp_has_669706_parameters()
    {
        var model = new Sequential([784],
            [new DenseLayer(512, "relu"), new DenseLayer(512, "relu"), new DenseLayer(10, "softmax")]);
        ModelGraph built = model.Build();
        Assert.Equal(669_706, built.TrainableParameterCount);
        Assert.Equal([401_920L, 262_656L, 5_130L], built.Layers.Select(l => l.ParameterCount));
        string summary = model.Summary();
        Assert.Contains("Total params: 669,706", summary);
        Assert.Contains("dense_2 (Dense)", summary);
        Assert.Contains("(None, 512)", summary);
    }

    [Fact]
    public void Mlp30_has_23860_parameters_and_flatten_prints_784()
    {
        var model = new Sequential([28, 28],
            [new FlattenLayer(), new DenseLayer(30, "sigmoid"), new DenseLayer(10, "sigmoid")]);
        ModelGraph built = model.Build();
        Assert.Equal(784 * 30 + 30 + 30 * 10 + 10, built.TrainableParameterCount);
        Assert.Contains("flatten (Flatten)           (None, 784)", model.Summary());
    }

    [Fact]
    public void Reshape_prints_channels_last_as_keras()
    {
        var model = new Sequential([28, 28],
            [new ReshapeLayer([28, 28, 1]), new FlattenLayer(), new DenseLayer(10, "softmax")]);
        Assert.Contains("(None, 28, 28, 1)", model.Summary());
    }

    [Fact]
    public void Dense_without_bias_has_no_bias_parameter()
    {
        var model = new Sequential([4], [new DenseLayer(3, useBias: false)]);
        Assert.Equal(12, model.Build().TrainableParameterCount);
    }

    [Fact]
    public void A_dense_layer_on_an_image_names_the_layer_and_the_fix()
    {
        var model = new Sequential([28, 28], [new DenseLayer(30, "sigmoid"), new DenseLayer(10)]);
        var error = Assert.Throws<LayerException>(() => model.Build());
        Assert.Equal(0, error.LayerIndex);
        Assert.Contains("model.layers[0] (Dense)", error.Message);
        Assert.Contains("Flatten", error.Message);
    }
}
