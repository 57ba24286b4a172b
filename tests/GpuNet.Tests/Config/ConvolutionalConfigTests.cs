using System.Text.RegularExpressions;
using GpuNet.Config;
using GpuNet.Tests.Data;
using GpuNet.Layers;
using GpuNet.Models;
using GpuNet.Parameters;
using YamlDotNet.Serialization;

namespace GpuNet.Tests.Config;

/// <summary>The convolutional layers in config files: Keras's arguments, errors at their line, the shipped
/// configs.</summary>
public sealed class ConvolutionalConfigTests
{
    [Fact]
    public void Reads_the_lecture_cnn_with_keras_argument_forms()
    {
        const string text = """
            model:
              input_shape: [28, 28]
              layers:
                - Reshape: {target_shape: [28, 28, 1]}
                - Conv2D: {filters: 16, kernel_size: 5, activation: relu}
                - MaxPooling2D: {pool_size: [2, 2], strides: null}
                - Flatten
                - Dropout: {rate: 0.2}
                - Dense: {units: 10, activation: softmax}
            loss: categorical_crossentropy
            optimizer: SGD
            """;
        RunConfig config = RunConfigReader.Read("cnn.yaml", text);
        var conv = (Conv2DLayer)config.Layers[1];
        Assert.Equal((16, (5, 5), (1, 1), GpuNet.Ops.Padding.Valid),
            (conv.Filters, conv.KernelSize, conv.Strides, conv.Padding));
        var pool = (MaxPooling2DLayer)config.Layers[2];
        Assert.Equal(((2, 2), (2, 2)), (pool.PoolSize, pool.Strides));
        Assert.Equal(0.2f, ((DropoutLayer)config.Layers[4]).Rate);
        Assert.Equal(23_466, config.CreateModel().Build().TrainableParameterCount);
    }

    [Theory]
    [InlineData("- MaxPooling2D: {pool_size: 0}", "model.layers[2].pool_size: expected a positive integer, got 0")]
    [InlineData("- MaxPooling2D: {pool_size: [2, 0]}",
        "model.layers[2].pool_size[1]: expected a positive integer, got 0")]
    [InlineData("- AveragePooling2D: {pool_size: [2, 2, 2]}",
        "model.layers[2].pool_size: expected a positive integer or a pair [height, width], got 3 values")]
    [InlineData("- L2Pooling2D: {padding: full}", "model.layers[2].padding: expected 'valid' or 'same', got 'full'")]
    [InlineData("- Dropout: {rate: 1.0}", "model.layers[2].rate: expected a rate in [0, 1), got 1.0")]
    [InlineData("- Dropout: {rate: -0.5}", "model.layers[2].rate: expected a rate in [0, 1), got -0.5")]
    [InlineData("- Dropout", "missing required argument 'rate'")]
    [InlineData("- Conv2D: {filters: 8}", "missing required argument 'kernel_size' (arguments given: filters)")]
    [InlineData("- Conv2D: {filters: 8, kernel_size: 3, stride: 2}",
        "unknown argument 'stride' for Conv2D; valid arguments are filters, kernel_size, strides, padding, activation")]
    [InlineData("- BatchNormalization: {axis: 1}",
        "model.layers[2].axis: only axis -1 (the features, or the channels of an image) is supported, got 1")]
    [InlineData("- BatchNormalization: {momentum: 1.5}",
        "model.layers[2].momentum: expected a momentum in [0, 1], got 1.5")]
    [InlineData("- PReLU: {alpha_initializer: twos}", "unknown initializer 'twos'")]
    public void Bad_argument_is_reported_at_its_line(string layerLine, string expected)
    {
        string text = $"""
            model:
              input_shape: [28, 28, 1]
              layers:
                - Conv2D: {"{"}filters: 4, kernel_size: 3{"}"}
                - MaxPooling2D
                {layerLine}
                - Flatten
                - Dense: {"{"}units: 10{"}"}
            loss: mse
            optimizer: SGD
            """;
        var error = Assert.Throws<ConfigException>(() => RunConfigReader.Read("run.yaml", text));
        Assert.Contains(expected, error.Message);
        Assert.Equal(6, error.Line);
        Assert.StartsWith("run.yaml:6:", error.Message);
    }

    [Theory]
    [InlineData("- Conv2D: {filters: 8, kernel_size: 5}", 3,
        "model.layers[3] (Conv2D): kernel 5x5 is larger than the input 4x4 with 'valid' padding")]
    [InlineData("- MaxPooling2D: {pool_size: 5}", 3,
        "model.layers[3] (MaxPooling2D): pool size 5x5 is larger than the input 4x4 with 'valid' padding")]
    [InlineData("- Flatten\n    - Conv2D: {filters: 8, kernel_size: 3}", 4,
        "model.layers[4] (Conv2D): expects an image input (height, width, channels) but gets (64,)")]
    [InlineData("- Flatten\n    - AveragePooling2D", 4,
        "model.layers[4] (AveragePooling2D): expects an image input (height, width, channels) but gets (64,)")]
    public void Shape_error_points_at_the_layer_that_cannot_connect(string layerLines, int index, string expected)
    {
        // 28×28 → conv 5×5 → 24×24×4 → pool 3 → 8×8×4 → pool 2 → 4×4×4, then the layer under test.
        string text = $"""
            model:
              input_shape: [28, 28]
              layers:
                - Conv2D: {"{"}filters: 4, kernel_size: 5{"}"}
                - MaxPooling2D: {"{"}pool_size: 3{"}"}
                - MaxPooling2D
                {layerLines}
            loss: mse
            optimizer: SGD
            """;
        RunConfig config = RunConfigReader.Read("run.yaml", text);
        var error = Assert.Throws<ConfigException>(() => config.CreateModel());
        Assert.Contains(expected, error.Message);
        Assert.Equal(4 + index, error.Line);
        Assert.StartsWith($"run.yaml:{4 + index}:", error.Message);
    }

    public static TheoryData<Layer> RoundTripLayers() => new()
    {
        new Conv2DLayer(16, (5, 5), activation: "relu"),
        new Conv2DLayer(8, (3, 2), (2, 1), "same", "tanh", useBias: false, Initializer.Zeros,
            new ConstantInitializer(0.1f)),
        new Conv2DLayer(4, (3, 3), kernelRegularizer: Regularizer.OfL2(0.01f)),
        new MaxPooling2DLayer(2),
        new MaxPooling2DLayer((3, 3), (2, 2), "same"),
        new AveragePooling2DLayer((2, 3), null, "same"),
        new L2Pooling2DLayer(3),
        new DropoutLayer(0.25f),
        new BatchNormalizationLayer(),
        new BatchNormalizationLayer(0.9f, 1e-5f, center: false, scale: true,
            movingVarianceInitializer: new ConstantInitializer(2f)),
        new PReluLayer(),
        new PReluLayer(new ConstantInitializer(0.25f)),
    };

    [Theory]
    [MemberData(nameof(RoundTripLayers))]
    public void Layer_config_round_trips_through_a_config_file(Layer layer)
    {
        var entry = new Dictionary<string, object> { [layer.TypeName] = layer.GetConfig() };
        var document = new Dictionary<string, object>
        {
            ["model"] = new Dictionary<string, object> { ["input_shape"] = new[] { 28, 28, 1 },
                ["layers"] = new[] { entry } },
            ["loss"] = "mse",
            ["optimizer"] = "SGD",
        };
        string yaml = new SerializerBuilder().Build().Serialize(document);
        Layer read = RunConfigReader.Read("roundtrip.yaml", yaml).Layers.Single();
        Assert.Equal(layer.GetType(), read.GetType());
        var serializer = new SerializerBuilder().Build();
        Assert.Equal(serializer.Serialize(layer.GetConfig()), serializer.Serialize(read.GetConfig()));
    }

    [Theory]
    [InlineData("mnist-cnn16.yaml", 23_466, 0)]
    [InlineData("mnist-cnn16-sgd.yaml", 23_466, 0)]
    [InlineData("mnist-cnn-2x32-dense512.yaml", 556_906, 0)]
    [InlineData("mnist-mlp-256x8-sigmoid-bn.yaml", 668_170, 4_096)]
    [InlineData("chollet-convnet.yaml", 93_322, 0)]
    public void Shipped_config_builds_the_model_keras_counts(string file, long trainable, long nonTrainable)
    {
        ModelGraph model = RunConfigReader.ReadFile(Path.Combine(TestData.RepositoryRoot, "configs",
            file)).CreateModel().Build();
        Assert.Equal((trainable, nonTrainable), (model.TrainableParameterCount, model.NonTrainableParameterCount));
    }
}
