using GpuNet.Parameters;
using GpuNet.Config;
using GpuNet.Layers;
using YamlDotNet.Serialization;

namespace GpuNet.Tests.Config;

public sealed class RunConfigReaderTests
{
    private const string Mlp30 = """
        name: mlp30
        dataset: mnist
        model:
          input_shape: [28, 28]
          layers:
            - Flatten
            - Dense: {units: 30, activation: sigmoid}
            - Dense: {units: 10, activation: sigmoid}
        loss: mean_squared_error
        optimizer:
          SGD: {lr: 3.0}
        metrics: [accuracy]
        batch_size: 10
        epochs: 20
        seed: 1
        """;

    [Fact]
    public void Reads_the_lecture_mlp()
    {
        RunConfig config = RunConfigReader.Read("mlp30.yaml", Mlp30);
        Assert.Equal("mlp30", config.Name);
        Assert.Equal([28, 28], config.InputShape);
        Assert.Equal(["Flatten", "Dense", "Dense"], config.Layers.Select(l => l.TypeName));
        Assert.Equal(30, ((DenseLayer)config.Layers[1]).Units);
        Assert.Equal("sigmoid", ((DenseLayer)config.Layers[2]).Activation.Name);
        Assert.Equal("mean_squared_error", config.Loss.Name);
        Assert.Equal(3.0f, config.CreateOptimizer().LearningRate);
        Assert.Equal((10, 20, 1UL), (config.BatchSize, config.Epochs, config.Seed));
        Assert.Equal(23_860, config.CreateModel().Build().TrainableParameterCount);
    }

    [Fact]
    public void Json_is_accepted_too()
    {
        const string json = """
            {"model": {"input_shape": [784], "layers": [{"Dense": {"units": 10, "activation": "softmax"}}]},
             "loss": "categorical_crossentropy", "optimizer": {"SGD": {"lr": 0.5}}, "epochs": 2}
            """;
        RunConfig config = RunConfigReader.Read("run.json", json);
        Assert.Equal(7_850, config.CreateModel().Build().TrainableParameterCount);
        Assert.Equal(0.5f, config.CreateOptimizer().LearningRate);
        Assert.Equal(2, config.Epochs);
    }

    [Fact]
    public void Yaml_syntax_error_names_file_line_and_column()
    {
        var error = Assert.Throws<ConfigException>(() =>
            RunConfigReader.Read("bad.yaml", "model:\n  layers: [Flatten\nloss: mse\n"));
        Assert.StartsWith("bad.yaml:", error.Message);
        Assert.Contains("YAML syntax error", error.Message);
        Assert.True(error.Line >= 2, $"line {error.Line}");
    }

    [Theory]
    [InlineData("- Dense2: {units: 10}", "unknown layer 'Dense2'; valid layers are Dense, Activation, Flatten", 6)]
    [InlineData("- Dense: {units: 10, activation: sigmoud}",
        "unknown activation 'sigmoud'; valid activations are linear, sigmoid, tanh, relu, leaky_relu, softmax", 6)]
    [InlineData("- Dense: {units: -3}", "model.layers[1].units: expected a positive integer, got -3", 6)]
    [InlineData("- Dense: {units: abc}", "model.layers[1].units: expected an integer, got 'abc'", 6)]
    [InlineData("- Dense: {unit: 10}", "missing required argument 'units' (arguments given: unit)", 6)]
    [InlineData("- Dense: {units: 10, kernel_initialiser: zeros}",
        "unknown argument 'kernel_initialiser' for Dense; valid arguments are units, activation, use_bias, " +
            "kernel_initializer, bias_initializer, kernel_regularizer, weights", 6)]
    [InlineData("- Dense: {units: 10, use_bias: maybe}",
        "model.layers[1].use_bias: expected true or false, got 'maybe'", 6)]
    public void Bad_layer_is_reported_at_its_line(string layerLine, string expected, int line)
    {
        string text = $"""
            model:
              input_shape: [784]
              layers:
                - Flatten
                {layerLine}
            loss: mse
            optimizer: SGD
            """;
        var error = Assert.Throws<ConfigException>(() => RunConfigReader.Read("run.yaml", text));
        Assert.Contains(expected, error.Message);
        Assert.Equal(line - 1, error.Line);
        Assert.StartsWith($"run.yaml:{line - 1}:", error.Message);
    }

    [Fact]
    public void Shape_that_cannot_connect_points_at_the_layer()
    {
        const string text = """
            model:
              input_shape: [28, 28]
              layers:
                - Dense: {units: 30, activation: sigmoid}
                - Dense: {units: 10}
            loss: mse
            optimizer: SGD
            """;
        RunConfig config = RunConfigReader.Read("run.yaml", text);
        var error = Assert.Throws<ConfigException>(() => config.CreateModel());
        Assert.Equal(4, error.Line);
        Assert.Contains("model.layers[0]", error.Message);
        Assert.Contains("put a Flatten layer before it", error.Message);
    }

    [Theory]
    [InlineData("epochz: 3", "unknown key 'epochz'; valid keys are name, dataset, model", 4)]
    [InlineData("loss: hinge", "unknown loss 'hinge'; valid losses are mean_squared_error", 2)]
    [InlineData("optimizer: {SGD: {lr: -1}}", "optimizer.lr: expected a positive learning rate, got -1", 3)]
    [InlineData("optimizer: Adamm", "unknown optimizer 'Adamm'; valid optimizers are SGD", 3)]
    [InlineData("batch_size: 0", "batch_size: expected a positive integer, got 0", 4)]
    [InlineData("metrics: [precision]", "unknown metric 'precision'", 4)]
    public void Bad_top_level_value_is_named(string line, string expected, int expectedLine)
    {
        // A good config whose line for the same key, if any, is replaced by the bad one.
        var lines = new List<string> { "model: {layers: [Dense: {units: 10}], input_shape: [784]}", "loss: mse",
            "optimizer: SGD" };
        int same = lines.FindIndex(l => l.Split(':')[0] == line.Split(':')[0]);
        if (same >= 0) lines[same] = line;
        else lines.Add(line);
        var error = Assert.Throws<ConfigException>(() => RunConfigReader.Read("run.yaml", string.Join('\n', lines)));
        Assert.Contains(expected, error.Message);
        Assert.Equal(expectedLine, error.Line);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var error = Assert.Throws<GpuNetException>(() => RunConfigReader.ReadFile("no/such/config.yaml"));
        Assert.Equal("no/such/config.yaml: config file not found", error.Message);
    }

    public static TheoryData<Layer> RoundTripLayers() => new()
    {
        new DenseLayer(30, "sigmoid"),
        new DenseLayer(7, "leaky_relu", useBias: false, GpuNet.Parameters.Initializer.Zeros,
            new GpuNet.Parameters.ConstantInitializer(0.5f)),
        new DenseLayer(5, "relu", kernelInitializer: new GpuNet.Parameters.RandomNormalInitializer(0.1f, 0.2f),
            kernelRegularizer: new GpuNet.Parameters.Regularizer(0.01f, 0.02f)),
        new ActivationLayer("tanh"),
        new FlattenLayer(),
        new ReshapeLayer([28, 28, 1]),
        new LeakyReluLayer(0.1f),
    };

    [Theory]
    [MemberData(nameof(RoundTripLayers))]
    public void Layer_config_round_trips_through_a_config_file(Layer layer)
    {
        // config → layer → config must give the same config back (as Keras's serialization tests).
        var entry = new Dictionary<string, object> { [layer.TypeName] = layer.GetConfig() };
        var document = new Dictionary<string, object>
        {
            ["model"] = new Dictionary<string, object> { ["input_shape"] = new[] { 784 },
                ["layers"] = new[] { entry } },
            ["loss"] = "mse",
            ["optimizer"] = "SGD",
        };
        string yaml = new SerializerBuilder().Build().Serialize(document);
        Layer read = RunConfigReader.Read("roundtrip.yaml", yaml).Layers.Single();
        Assert.Equal(layer.GetType(), read.GetType());
        Assert.Equal(Describe(layer.GetConfig()), Describe(read.GetConfig()));
    }

    private static string Describe(IReadOnlyDictionary<string, object?> config) =>
        new SerializerBuilder().Build().Serialize(config);
}
