using GpuNet.Layers;
using GpuNet.Models;
using GpuNet.Parameters;

namespace GpuNet.Tests.Models;

/// <summary>Parameter counts and output shapes of convolutional models equal Keras's.</summary>
public sealed class ConvolutionalSummaryTests
{
    [Fact]
    public void Lecture_cnn_has_23466_parameters()
    {
        foreach (Sequential model in new[]
        {
            new Sequential([28, 28], [new ReshapeLayer([28, 28, 1]), .. LectureCnn()]),
            new Sequential([28, 28], LectureCnn()),
            new Sequential([28, 28, 1], LectureCnn()),
        })
        {
            ModelGraph built = model.Build();
            Assert.Equal(23_466, built.TrainableParameterCount);
            string summary = model.Summary();
            Assert.Contains("conv2d (Conv2D)", summary);
            Assert.Contains("(None, 24, 24, 16)", summary);
            Assert.Contains("max_pooling2d (MaxPooling2D)", summary);
            Assert.Contains("(None, 12, 12, 16)", summary);
            Assert.Contains("(None, 2304)", summary);
            Assert.Contains("dropout (Dropout)", summary);
            Assert.Contains("Total params: 23,466", summary);
        }
    }

    [Fact]
    public void Chollet_convnet_matches_keras_layer_by_layer()
    {
        Layer[] convolutionalBase =
        [
            new Conv2DLayer(32, (3, 3), activation: "relu"),
            new MaxPooling2DLayer(2),
            new Conv2DLayer(64, (3, 3), activation: "relu"),
            new MaxPooling2DLayer(2),
            new Conv2DLayer(64, (3, 3), activation: "relu"),
        ];
        Assert.Equal(55_744, new Sequential([28, 28, 1], convolutionalBase).Build().TrainableParameterCount);

        var model = new Sequential([28, 28, 1],
            [.. convolutionalBase, new FlattenLayer(), new DenseLayer(64, "relu"), new DenseLayer(10, "softmax")]);
        ModelGraph built = model.Build();
        Assert.Equal(93_322, built.TrainableParameterCount);
        Assert.Equal([320L, 0, 18_496, 0, 36_928, 0, 36_928, 650], built.Layers.Select(l => l.ParameterCount));
        string[] shapes = ["(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)", "(None, 5, 5, 64)",
            "(None, 3, 3, 64)", "(None, 576)", "(None, 64)", "(None, 10)"];
        string[] names = ["conv2d (Conv2D)", "max_pooling2d (MaxPooling2D)", "conv2d_1 (Conv2D)",
            "max_pooling2d_1 (MaxPooling2D)", "conv2d_2 (Conv2D)", "flatten (Flatten)", "dense (Dense)",
                "dense_1 (Dense)"];
        string[] lines = model.Summary().Split('\n');
        for (int i = 0; i < shapes.Length; i++)
        {
            string line = Assert.Single(lines, l => l.StartsWith(names[i] + " ", StringComparison.Ordinal));
            Assert.Contains(shapes[i], line);
        }
    }

    [Fact]
    public void Batch_norm_after_dense_256_has_1024_parameters_half_of_them_non_trainable()
    {
        var model = new Sequential([784],
            [new DenseLayer(256, "sigmoid"), new BatchNormalizationLayer(), new DenseLayer(10, "softmax")]);
        ModelGraph built = model.Build();
        Assert.Equal(1_024, built.Layers[1].ParameterCount);
        Assert.Equal(512, built.NonTrainableParameterCount);
        Assert.Equal(200_960 + 512 + 2_570, built.TrainableParameterCount);
        string summary = model.Summary();
        Assert.Contains("batch_normalization (BatchNormalization)", summary);
        Assert.Contains("Total params: 204,554", summary);
        Assert.Contains("Non-trainable params: 512", summary);
    }

    [Fact]
    public void Batch_norm_after_a_convolution_has_four_parameters_per_channel()
    {
        var model = new Sequential([28, 28, 1],
            [new Conv2DLayer(16, (5, 5)), new BatchNormalizationLayer(), new FlattenLayer(), new DenseLayer(10)]);
        Assert.Equal(64, model.Build().Layers[1].ParameterCount);
        Assert.Contains("(None, 24, 24, 16)", model.Summary());
    }

    [Fact]
    public void Prelu_has_a_slope_per_value_and_other_layers_their_keras_shapes()
    {
        var model = new Sequential([28, 28, 1],
        [
            new Conv2DLayer(16, (5, 5), strides: (2, 2), padding: "same"),
            new PReluLayer(),
            new AveragePooling2DLayer((3, 3), (2, 2), "same"),
            new L2Pooling2DLayer(2),
            new Conv2DLayer(8, (3, 3), useBias: false),
        ]);
        ModelGraph built = model.Build();
        Assert.Equal([416L, 14 * 14 * 16, 0, 0, 16 * 9 * 8], built.Layers.Select(l => l.ParameterCount));
        string summary = model.Summary();
        Assert.Contains("p_re_lu (PReLU)", summary);
        Assert.Contains("(None, 14, 14, 16)", summary);
        Assert.Contains("average_pooling2d (AveragePooling2D)", summary);
        Assert.Contains("(None, 7, 7, 16)", summary);
        Assert.Contains("l2_pooling2d (L2Pooling2D)", summary);
        Assert.Contains("(None, 3, 3, 16)", summary);
        Assert.Contains("(None, 1, 1, 8)", summary);
    }

    [Fact]
    public void A_convolution_after_flatten_names_the_layer_and_the_shape()
    {
        var model = new Sequential([28, 28], [new FlattenLayer(), new Conv2DLayer(8, (3, 3))]);
        var error = Assert.Throws<LayerException>(() => model.Build());
        Assert.Equal(1, error.LayerIndex);
        Assert.Contains("model.layers[1] (Conv2D): expects an image input (height, width, channels) but gets (784,)",
            error.Message);
    }

    private static Layer[] LectureCnn() =>
    [
        new Conv2DLayer(16, (5, 5), activation: "relu"),
        new MaxPooling2DLayer(2),
        new FlattenLayer(),
        new DropoutLayer(0.2f),
        new DenseLayer(10, "softmax"),
    ];
}
