using GpuNet.Accelerators.Cpu;
using GpuNet.Config;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Optimizers;
using GpuNet.Tests.Data;
using GpuNet.Tests.Training;
using GpuNet.Training;
using Xunit.Abstractions;

namespace GpuNet.Tests.Config;

/// <summary>
/// Configs written as Keras's lines read: positional arguments, input_shape on the first layer,
/// Input layers, Keras's aliases — the same models as the mapping form, with errors that still
/// name the line and the Keras argument.
/// </summary>
public sealed class KerasStyleConfigTests(ITestOutputHelper output)
{
    private static RunConfig Read(string text) => RunConfigReader.Read("run.yaml", text);

    private static string Configs(string relative) => Path.Combine(TestData.RepositoryRoot, "configs", relative);

    [Theory]
    [InlineData("keras-style/mlp512-dropout.yaml", "lectures/12-mlp512-dropout-adam.yaml", 669_706)]
    [InlineData("keras-style/cnn16.yaml", "lectures/19-cnn16.yaml", 23_466)]
    [InlineData("keras-style/chollet-convnet.yaml", "lectures/22-chollet-convnet.yaml", 93_322)]
    public void Lecture_model_in_keras_form_summarises_as_the_mapping_form_and_as_keras_counts(
        string kerasForm, string mappingForm, int parameters)
    {
        RunConfig keras = RunConfigReader.ReadFile(Configs(kerasForm));
        RunConfig mapping = RunConfigReader.ReadFile(Configs(mappingForm));
        string summary = keras.CreateModel().Summary();
        Assert.Equal(mapping.CreateModel().Summary(), summary);
        Assert.Contains($"Total params: {parameters:N0}", summary);
        Assert.Equal(parameters, keras.CreateModel().Build().TrainableParameterCount);
    }

    [Theory]
    [InlineData("keras-style/mlp512-dropout.yaml")]
    [InlineData("keras-style/cnn16.yaml")]
    [InlineData("keras-style/chollet-convnet.yaml")]
    public void Lecture_model_in_keras_form_trains(string kerasForm)
    {
        RunConfig config = RunConfigReader.ReadFile(Configs(kerasForm));
        using var trainer = new Trainer(
            config.CreateModel(), config.Loss, config.CreateOptimizer(), new CpuAccelerator(), config.Seed);
        EvaluationResult before = trainer.Evaluate(MnistSubset.Test(1_000));
        trainer.Fit(MnistSubset.Train(2_000), epochs: 1, batchSize: config.BatchSize);
        EvaluationResult after = trainer.Evaluate(MnistSubset.Test(1_000));
        output.WriteLine($"{kerasForm}: test accuracy {before.Accuracy:P1} → {after.Accuracy:P1}, " +
                         $"loss {before.Loss:F3} → {after.Loss:F3}");
        // One epoch of 2,000 images is 17 to 32 steps: 71-81% (seed 1, CPU) against 10% by chance.
        Assert.True(after.Accuracy > 0.6, $"test accuracy {after.Accuracy:P1} after one epoch of 2,000 images");
        Assert.True(after.Loss < 0.7 * before.Loss, $"loss {before.Loss:F3} → {after.Loss:F3}");
    }

    [Fact]
    public void Readme_keras_style_example_reads_and_has_the_lecture_cnn_count()
    {
        string readme = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "README.md"));
        const string lead = "is the config\n\n```yaml\n";
        int start = readme.IndexOf(lead, StringComparison.Ordinal) + lead.Length;
        Assert.True(start >= lead.Length, "README shows the Keras-style config after 'is the config'");
        RunConfig config = Read(readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)]);
        Assert.Equal(23_466, config.CreateModel().Build().TrainableParameterCount);
        Assert.Equal("sparse_categorical_crossentropy", config.Loss.Name);
    }

    [Fact]
    public void Positional_arguments_take_keras_order_and_keywords_may_follow()
    {
        RunConfig config = Read("""
            model:
              layers:
                - Conv2D: [8, [3, 5], [2, 1], same, {activation: relu, input_shape: [28, 28, 1]}]
                - AveragePooling2D: [[2, 2], 1, valid]
                - Activation: tanh
                - Flatten
                - Dropout: 0.25
                - Dense: [10, softmax, false]
            loss: categorical_crossentropy
            optimizer: {SGD: [0.1, 0.9, true]}
            """);
        Assert.Equal([28, 28, 1], config.InputShape);
        var conv = Assert.IsType<Conv2DLayer>(config.Layers[0]);
        Assert.Equal((8, (3, 5), (2, 1), GpuNet.Ops.Padding.Same, "relu"),
            (conv.Filters, conv.KernelSize, conv.Strides, conv.Padding, conv.Activation.Name));
        var pool = Assert.IsType<AveragePooling2DLayer>(config.Layers[1]);
        Assert.Equal(((2, 2), (1, 1)), (pool.PoolSize, pool.Strides));
        Assert.Equal("tanh", Assert.IsType<ActivationLayer>(config.Layers[2]).Activation.Name);
        Assert.Equal(0.25f, Assert.IsType<DropoutLayer>(config.Layers[4]).Rate);
        var dense = Assert.IsType<DenseLayer>(config.Layers[5]);
        Assert.Equal((10, "softmax", false), (dense.Units, dense.Activation.Name, dense.UseBias));
        var sgd = Assert.IsType<Sgd>(config.CreateOptimizer());
        Assert.Equal(0.1f, sgd.LearningRate);
        // The positional form gives the layer the mapping form gives.
        RunConfig mapping = Read("""
            model:
              input_shape: [28, 28, 1]
              layers:
                - Conv2D: {filters: 8, kernel_size: [3, 5], strides: [2, 1], padding: same, activation: relu}
                - AveragePooling2D: {pool_size: [2, 2], strides: 1, padding: valid}
                - Activation: {activation: tanh}
                - Flatten
                - Dropout: {rate: 0.25}
                - Dense: {units: 10, activation: softmax, use_bias: false}
            loss: categorical_crossentropy
            optimizer: {SGD: {learning_rate: 0.1, momentum: 0.9, nesterov: true}}
            """);
        Assert.Equal(mapping.CreateModel().Summary(), config.CreateModel().Summary());
        for (int i = 0; i < config.Layers.Count; i++)
            Assert.Equal(Describe(mapping.Layers[i]), Describe(config.Layers[i]));
    }

    [Theory]
    [InlineData("- Input: [[28, 28, 1]]")]
    [InlineData("- Input: {shape: [28, 28, 1]}")]
    [InlineData("- InputLayer: [[28, 28, 1]]")]
    [InlineData("- InputLayer: {input_shape: [28, 28, 1]}")]
    [InlineData("- InputLayer: {batch_input_shape: [null, 28, 28, 1], dtype: float32, sparse: false, name: images}")]
    [InlineData("- InputLayer: {batch_shape: [None, 28, 28, 1]}")]
    public void Input_layer_gives_the_input_shape_and_no_summary_row(string inputLine)
    {
        RunConfig config = Read($"""
            model:
              layers:
                {inputLine}
                - Conv2D: [4, 3]
                - Flatten
                - Dense: 10
            loss: mse
            optimizer: SGD
            """);
        Assert.Equal([28, 28, 1], config.InputShape);
        Assert.Equal(["Conv2D", "Flatten", "Dense"], config.Layers.Select(l => l.TypeName));
        Assert.Equal(3, config.LayerNodes[0].Yaml.Start.Line - 1);
        Assert.DoesNotContain("Input", config.CreateModel().Summary());
    }

    [Theory]
    [InlineData("Dense: {units: 10, input_dim: 784}", new[] { 784 })]
    [InlineData("Dense: [10, {batch_input_shape: [null, 784]}]", new[] { 784 })]
    [InlineData("Reshape: [[784], {input_shape: [28, 28]}]", new[] { 28, 28 })]
    public void First_layer_input_shape_forms(string layer, int[] shape)
    {
        RunConfig config = Read($"model: {{layers: [{layer}, Dense: 10]}}\nloss: mse\noptimizer: SGD\n");
        Assert.Equal(shape, config.InputShape);
        Assert.Equal(10, config.CreateModel().Build().Output.SampleSize);
    }

    [Fact]
    public void Same_input_shape_in_both_places_is_accepted()
    {
        RunConfig config = Read(
            "model: {input_shape: [784], layers: [Dense: [10, {input_shape: [784]}]]}\nloss: mse\noptimizer: SGD");
        Assert.Equal([784], config.InputShape);
    }

    [Theory]
    [InlineData("- Dense: [-5, {activation: relu}]", "model.layers[1].units: expected a positive integer, got -5",
        5, 15)]
    [InlineData("- Conv2D: [4, [3, 0]]", "model.layers[1].kernel_size[1]: expected a positive integer, got 0", 5, 23)]
    [InlineData("- Dropout: 1.5", "model.layers[1].rate: expected a rate in [0, 1), got 1.5", 5, 16)]
    [InlineData("- Dropout: 1.5e", "model.layers[1].rate: expected a number, got '1.5e'", 5, 16)]
    [InlineData("- Activation: relux", "model.layers[1].activation: unknown activation 'relux'", 5, 19)]
    [InlineData("- Dense: [10, relu, true, zeros, zeros, null, null, null, null, null, 1]",
        "Dense takes at most 10 arguments by position (units, activation, use_bias", 5, 75)]
    [InlineData("- Dense: [10, {units: 3}]",
        "model.layers[1].units: argument 'units' is given twice: by position (value 1 of Dense) and by name", 5, 27)]
    [InlineData("- Conv2D: [4, 3, 1, valid, channels_first]",
        "model.layers[1].data_format: unknown argument 'data_format' for Conv2D", 5, 32)]
    [InlineData("- Dense: [10, {input_shape: [3]}]",
        "model.layers[1].input_shape: 'input_shape' belongs on the first layer", 5, 33)]
    [InlineData("- Input: [[784]]", "model.layers[1]: Input gives the model's input and comes first", 5, 7)]
    public void Errors_name_the_line_and_the_keras_argument_also_when_given_by_position(
        string layerLine, string expected, int line, int column)
    {
        string text = $"""
            model:
              layers:
                - Flatten: {"{"}input_shape: [28, 28]{"}"}
                {layerLine}
                - Dense: 10
            loss: mse
            optimizer: SGD
            """;
        var error = Assert.Throws<ConfigException>(() => Read(text).CreateModel());
        output.WriteLine(error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal((line - 1, column), (error.Line, error.Column));
    }

    [Fact]
    public void Input_shape_that_differs_from_model_input_shape_is_refused_at_the_layer()
    {
        var error = Assert.Throws<ConfigException>(() =>
            Read("model:\n  input_shape: [28, 28]\n  layers:\n    - Dense: {units: 10, input_dim: 784}\n" +
                 "loss: mse\noptimizer: SGD"));
        Assert.Equal("run.yaml:4:37: model.layers[0].input_dim: the input shape (784,) differs from " +
                     "model.input_shape (28, 28); give it in one place",
            error.Message);
    }

    [Theory]
    [InlineData("InputLayer: {batch_input_shape: [32, 784]}", "expected the batch left open")]
    [InlineData("Input: {shape: [784], batch_size: 32}", "the batch size is the config's batch_size")]
    [InlineData("Input: {shape: [784], dtype: float16}", "GpuNet computes in float32; got dtype 'float16'")]
    [InlineData("Input: {shape: [null, 784]}", "every size of the input must be given")]
    [InlineData("Input: {name: x}", "Input needs the shape of one sample")]
    [InlineData("Input: {shape: [784], tensor: x}", "unknown argument 'tensor' for Input")]
    public void Bad_input_layer_is_named(string input, string expected)
    {
        var error = Assert.Throws<ConfigException>(
            () => Read($"model: {{layers: [{input}, Dense: 10]}}\nloss: mse\noptimizer: SGD"));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("mse", "mean_squared_error")]
    [InlineData("MSE", "mean_squared_error")]
    [InlineData("MeanSquaredError", "mean_squared_error")]
    [InlineData("BinaryCrossentropy", "binary_crossentropy")]
    [InlineData("CategoricalCrossentropy", "categorical_crossentropy")]
    [InlineData("sparse_categorical_crossentropy", "categorical_crossentropy")]
    [InlineData("SparseCategoricalCrossentropy", "categorical_crossentropy")]
    public void Keras_loss_aliases_name_their_loss(string alias, string computedAs)
    {
        RunConfig config = Read(
            $"model: {{layers: [Dense: [10, {{input_shape: [784]}}]]}}\nloss: {alias}\noptimizer: SGD");
        Assert.Equal(alias, config.Loss.Name);
        Assert.Equal(Loss.FromName(computedAs).Kind, config.Loss.Kind);
    }

    [Theory]
    [InlineData("metrics: [acc]")]
    [InlineData("metrics: [sparse_categorical_accuracy]")]
    [InlineData("metrics: [categorical_accuracy, SparseCategoricalAccuracy]")]
    [InlineData("optimizer: sgd")]
    [InlineData("optimizer: {rmsprop: 0.01}")]
    [InlineData("optimizer: {Adam: {lr: 0.01}}")]
    [InlineData("optimizer: {Adam: {learning_rate: 0.01}}")]
    [InlineData("callbacks: [EarlyStopping: [val_accuracy, 0.001, 2]]")]
    public void Keras_aliases_for_metrics_optimizers_and_callbacks_are_read(string line)
    {
        string optimizer = line.StartsWith("optimizer:", StringComparison.Ordinal) ? line : "optimizer: SGD\n" + line;
        RunConfig config = Read($"model: {{layers: [Dense: [10, {{input_shape: [784]}}]]}}\nloss: mse\n{optimizer}\n");
        Assert.Equal(["accuracy"], config.Metrics);
        config.CreateOptimizer();
        config.CreateCallbacks();
    }

    [Fact]
    public void Keras_none_activation_is_linear()
    {
        RunConfig config = Read("model: {layers: [Dense: [10, None, {input_shape: [784]}], " +
                                "Dense: {units: 3, activation: null}]}\n" +
                                "loss: mse\noptimizer: SGD");
        Assert.All(config.Layers, l => Assert.True(((DenseLayer)l).Activation.IsLinear));
    }

    [Fact]
    public void Sparse_categorical_crossentropy_trains_as_categorical_crossentropy_on_class_indices()
    {
        // The datasets hold class indices, which the loss reads one-hot: the same computation, step for step.
        var histories = new[] { "sparse_categorical_crossentropy", "categorical_crossentropy" }.Select(loss =>
        {
            RunConfig config = Read($"""
                model: {"{"}layers: [Dense: [32, relu, {"{"}input_shape: [784]{"}"}], Dense: [10, softmax]]{"}"}
                loss: {loss}
                optimizer: {"{"}Adam: 0.001{"}"}
                """);
            using var trainer = new Trainer(
                config.CreateModel(), config.Loss, config.CreateOptimizer(), new CpuAccelerator(), seed: 2);
            Assert.Equal(loss, trainer.Loss.Name);
            History history = trainer.Fit(
                MnistSubset.Train(1_000), epochs: 2, batchSize: 50, validation: MnistSubset.Test(500));
            return history.Epochs.Select(e => (e.Loss, e.Accuracy, e.ValidationLoss, e.ValidationAccuracy)).ToList();
        }).ToList();
        Assert.Equal(histories[1], histories[0]);
        Assert.True(histories[0][1].Loss < histories[0][0].Loss, "the loss falls from epoch 1 to 2");
        float? accuracy = histories[0][1].ValidationAccuracy;
        Assert.True(accuracy > 0.6f, $"validation accuracy {accuracy:P1}");
    }

    private static string Describe(Layer layer) =>
        string.Join(", ", layer.GetConfig().Select(kv => $"{kv.Key}={Format(kv.Value)}"));

    private static string Format(object? value) => value switch
    {
        int[] list => "[" + string.Join(",", list) + "]",
        IReadOnlyDictionary<string, object?> map =>
            "{" + string.Join(",", map.Select(kv => $"{kv.Key}={Format(kv.Value)}")) + "}",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
