using System.IO.Compression;
using GpuNet.Config;
using GpuNet.Config.Import;
using GpuNet.Layers;
using GpuNet.Models;
using GpuNet.Parameters;
using GpuNet.Tests.Cli;
using GpuNet.Tests.Data;
using Xunit.Abstractions;

namespace GpuNet.Tests.Config;

/// <summary>
/// gpunet import-keras: Keras model descriptions written to Keras's documented to_json() layouts
/// (Keras 2 and 3) and .keras files import to configs whose summary is the table Keras prints.
/// </summary>
public sealed class KerasImportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-keras-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Fixture(string name) =>
        Path.Combine(TestData.RepositoryRoot, "tests", "GpuNet.Tests", "Config", "KerasModels", name);

    /// <summary>
    /// The table model.summary() prints for each fixture: "name (Type)", output shape, parameters; then the total
    /// and trainable counts.
    /// </summary>
    public static TheoryData<string, string[], long, long> KerasTables() => new()
    {
        { "mlp30-keras2.json", ["dense (Dense)|(None, 30)|23550", "dense_1 (Dense)|(None, 10)|310"], 23_860, 23_860 },
        {
            "mlp512-dropout-keras2.json",
            [
                "dense (Dense)|(None, 512)|401920", "dropout (Dropout)|(None, 512)|0",
                "dense_1 (Dense)|(None, 512)|262656", "dropout_1 (Dropout)|(None, 512)|0",
                "dense_2 (Dense)|(None, 10)|5130",
            ],
            669_706, 669_706
        },
        {
            "cnn16-keras3.json",
            [
                "conv2d (Conv2D)|(None, 24, 24, 16)|416", "max_pooling2d (MaxPooling2D)|(None, 12, 12, 16)|0",
                "flatten (Flatten)|(None, 2304)|0", "dropout (Dropout)|(None, 2304)|0",
                "dense (Dense)|(None, 10)|23050",
            ],
            23_466, 23_466
        },
        {
            "chollet-convnet-keras3.config.json",
            [
                "conv2d (Conv2D)|(None, 26, 26, 32)|320", "max_pooling2d (MaxPooling2D)|(None, 13, 13, 32)|0",
                "conv2d_1 (Conv2D)|(None, 11, 11, 64)|18496", "max_pooling2d_1 (MaxPooling2D)|(None, 5, 5, 64)|0",
                "conv2d_2 (Conv2D)|(None, 3, 3, 64)|36928", "flatten (Flatten)|(None, 576)|0",
                "dense (Dense)|(None, 64)|36928", "dense_1 (Dense)|(None, 10)|650",
            ],
            93_322, 93_322
        },
        {
            "cnn-batchnorm-keras2.json",
            [
                "conv2d (Conv2D)|(None, 28, 28, 8)|72", "batch_normalization (BatchNormalization)|(None, 28, 28, 8)|32",
                "activation (Activation)|(None, 28, 28, 8)|0",
                "average_pooling2d (AveragePooling2D)|(None, 14, 14, 8)|0",
                "flatten (Flatten)|(None, 1568)|0", "dense (Dense)|(None, 10)|15690",
            ],
            15_794, 15_778
        },
    };

    [Theory]
    [MemberData(nameof(KerasTables))]
    public void Imported_config_summarises_to_the_table_keras_prints(
        string fixture, string[] rows, long total, long trainable)
    {
        string config = KerasModelImport.ToConfig(KerasModelFile.Read(Fixture(fixture)));
        output.WriteLine(config);
        ModelGraph model = RunConfigReader.Read("imported.yaml", config).CreateModel().Build();
        Assert.Equal(rows, model.SummaryRows().Select(r => $"{r.Name}|{r.OutputShape}|{r.Parameters}"));
        Assert.Equal(trainable, model.TrainableParameterCount);
        Assert.Equal(total - trainable, model.NonTrainableParameterCount);
        string summary = model.Summary();
        Assert.Contains($"Total params: {total:N0}", summary);
        Assert.Contains($"Non-trainable params: {total - trainable:N0}", summary);
    }

    [Theory]
    [InlineData("mlp512-dropout-keras2.json", "keras-style/mlp512-dropout.yaml")]
    [InlineData("cnn16-keras3.json", "keras-style/cnn16.yaml")]
    [InlineData("chollet-convnet-keras3.config.json", "keras-style/chollet-convnet.yaml")]
    public void Imported_config_gives_the_summary_of_the_hand_transcribed_one(string fixture, string transcribed)
    {
        string config = KerasModelImport.ToConfig(KerasModelFile.Read(Fixture(fixture)));
        RunConfig hand = RunConfigReader.ReadFile(Path.Combine(TestData.RepositoryRoot, "configs", transcribed));
        RunConfig imported = RunConfigReader.Read("imported.yaml", config);
        Assert.Equal(hand.CreateModel().Summary(), imported.CreateModel().Summary());
    }

    [Fact]
    public void Arguments_come_across_with_their_values()
    {
        string text = KerasModelImport.ToConfig(KerasModelFile.Read(Fixture("cnn-batchnorm-keras2.json")));
        RunConfig config = RunConfigReader.Read("imported.yaml", text);
        var conv = Assert.IsType<Conv2DLayer>(config.Layers[0]);
        Assert.Equal((8, (3, 3), GpuNet.Ops.Padding.Same, false, "he_normal"),
            (conv.Filters, conv.KernelSize, conv.Padding, conv.UseBias, conv.KernelInitializer.Name));
        Assert.Equal(0.0005000000237487257f, conv.KernelRegularizer!.L2);
        Assert.Equal(0.9f, Assert.IsType<BatchNormalizationLayer>(config.Layers[1]).Momentum);
        Assert.Equal("relu", Assert.IsType<ActivationLayer>(config.Layers[2]).Activation.Name);
        Assert.Equal((2, 2), Assert.IsType<AveragePooling2DLayer>(config.Layers[3]).PoolSize);
        Assert.Equal([28, 28, 1], config.InputShape);
    }

    [Fact]
    public void Keras_file_brings_its_loss_optimizer_and_metrics()
    {
        string chollet = KerasArchive("chollet.keras", "chollet-convnet-keras3.config.json");
        RunConfig book = RunConfigReader.Read("imported.yaml", KerasModelImport.ToConfig(KerasModelFile.Read(chollet)));
        Assert.Equal("categorical_crossentropy", book.Loss.Name);
        var rmsprop = Assert.IsType<GpuNet.Optimizers.Rmsprop>(book.CreateOptimizer());
        Assert.Equal(0.001f, rmsprop.LearningRate);

        string mlp = KerasArchive("mlp.keras", "mlp512-dropout-keras3.config.json");
        string text = KerasModelImport.ToConfig(KerasModelFile.Read(mlp));
        Assert.Contains("Keras 3.5.0", text);
        Assert.Contains(
            "optimizer: {Adam: {learning_rate: 0.0010000000474974513, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-07}}",
                text);
        RunConfig imported = RunConfigReader.Read("imported.yaml", text);
        Assert.Equal("sparse_categorical_crossentropy", imported.Loss.Name);
        Assert.Equal(["accuracy"], imported.Metrics);
        Assert.Equal(669_706, imported.CreateModel().Build().TrainableParameterCount);
    }

    [Fact]
    public void Cli_writes_the_config_and_it_trains_as_a_config_does()
    {
        string chollet = KerasArchive("chollet.keras", "chollet-convnet-keras3.config.json");
        var import = GpunetProcess.Run(_folder, "import-keras", chollet, "-o", "chollet.yaml");
        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains("Wrote chollet.yaml: 8 layers, 93,322 parameters", import.Output);
        var summary = GpunetProcess.Run(_folder, "summary", "chollet.yaml");
        Assert.True(summary.ExitCode == 0, summary.Error);
        Assert.Contains("conv2d_2 (Conv2D)               (None, 3, 3, 64)         36,928", summary.Output);
        var printed = GpunetProcess.Run(_folder, "import-keras", Fixture("mlp30-keras2.json"));
        Assert.True(printed.ExitCode == 0, printed.Error);
        Assert.StartsWith("# Imported by gpunet import-keras from mlp30-keras2.json, Keras 2.3.0-tf", printed.Output);
    }

    [Fact]
    public void Unsupported_layer_is_refused_in_one_paragraph_that_names_it()
    {
        var result = GpunetProcess.Run(_folder, "import-keras", Fixture("lstm-keras2.json"), "-o", "lstm.yaml");
        Assert.Equal(2, result.ExitCode);
        string expected = $"error: {Fixture("lstm-keras2.json")}: layers[1] 'lstm' (LSTM): GpuNet has no LSTM layer; " +
                          "the Keras layers it imports are Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, " +
                          "Dropout, Activation, Reshape, BatchNormalization, LeakyReLU, PReLU, ReLU, Softmax, " +
                              "InputLayer";
        Assert.Equal(expected, result.Error.TrimEnd());
        Assert.False(File.Exists(Path.Combine(_folder, "lstm.yaml")));
    }

    /// <summary>A change to the Keras 3 CNN fixture (original text, replacement) and what the refusal says.</summary>
    public static TheoryData<string, string, string> LackingOptions() => new()
    {
        {
            "\"data_format\": \"channels_last\"", "\"data_format\": \"channels_first\"",
            "layers[1] 'conv2d' (Conv2D): 'data_format' is \"channels_first\"; GpuNet supports 'channels_last'"
        },
        {
            "\"dilation_rate\": [1, 1]", "\"dilation_rate\": [2, 2]",
            "'dilation_rate' is [2,2]; GpuNet supports 1 (no dilation) only"
        },
        {
            "\"activation\": \"relu\"", "\"activation\": \"elu\"",
            "layers[1] 'conv2d' (Conv2D): 'activation' is \"elu\"; GpuNet's activations are linear, sigmoid"
        },
        {
            "\"class_name\": \"GlorotUniform\"", "\"class_name\": \"TruncatedNormal\"",
            "'kernel_initializer' is TruncatedNormal; GpuNet's initializers are"
        },
        {
            "\"name\": \"conv2d\", \"trainable\": true", "\"name\": \"conv2d\", \"trainable\": false",
            "'trainable' is false; GpuNet supports true (frozen layers are not imported) only"
        },
        {
            "\"kernel_constraint\": null",
            "\"kernel_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 2}}",
            "'kernel_constraint' is {\"class_name\":\"MaxNorm\""
        },
        {
            "\"groups\": 1,", "\"groups\": 1, \"quantization_config\": {\"mode\": \"int8\"},",
            "'quantization_config' is {\"mode\":\"int8\"}, a Keras option GpuNet does not have"
        },
        {
            "\"registered_name\": null, \"build_config\": {\"input_shape\": [null, 28, 28, 1]}",
            "\"registered_name\": \"MyLayers>Conv\"",
            "is the custom layer 'MyLayers>Conv'"
        },
        {
            "\"class_name\": \"Sequential\"", "\"class_name\": \"Functional\"",
            "is a Functional model (layers wired by keras.Model(inputs, outputs)); GpuNet imports Sequential models"
        },
        {
            "\"batch_shape\": [null, 28, 28, 1]", "\"batch_shape\": [null, null, null, 1]",
            "'batch_shape' is [null,null,null,1]; expected the batch left open and every size of a sample given"
        },
    };

    [Theory]
    [MemberData(nameof(LackingOptions))]
    public void Keras_options_gpunet_lacks_are_refused_by_layer_and_key(
        string original, string replacement, string expected)
    {
        string json = File.ReadAllText(Fixture("cnn16-keras3.json"));
        int at = json.IndexOf(original, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the fixture has no {original}");
        string file = Path.Combine(_folder, "model.json");
        File.WriteAllText(file, json[..at] + replacement + json[(at + original.Length)..]);
        var error = Assert.Throws<GpuNetException>(() => KerasModelImport.ToConfig(KerasModelFile.Read(file)));
        output.WriteLine(error.Message);
        Assert.StartsWith($"{file}: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    /// <summary>A change to the Chollet fixture's compile_config (original, replacement), and the refusal.</summary>
    public static TheoryData<string, string, string> LackingCompileSettings() => new()
    {
        {
            "\"loss\": \"categorical_crossentropy\"",
            "\"loss\": {\"class_name\": \"CategoricalCrossentropy\", \"config\": {\"from_logits\": true}}",
            "compile_config: 'loss' (CategoricalCrossentropy): 'from_logits' is true; " +
            "GpuNet supports false (GpuNet's losses read probabilities) only"
        },
        {
            "\"loss\": \"categorical_crossentropy\"", "\"loss\": \"hinge\"",
            "compile_config: 'loss' is 'hinge'; GpuNet's losses are mean_squared_error"
        },
        {
            "\"optimizer\": \"rmsprop\"", "\"optimizer\": \"adagrad\"",
            "'optimizer' is 'adagrad', whose Keras 3 accumulators start at 0.1"
        },
        { "\"optimizer\": \"rmsprop\"", "\"optimizer\": \"lion\"", "'optimizer' is 'lion'; GpuNet's optimizers are" },
        {
            "\"optimizer\": \"rmsprop\"",
            "\"optimizer\": {\"class_name\": \"RMSprop\", \"config\": {\"learning_rate\": 0.01, \"centered\": true}}",
            "compile_config: 'optimizer' (RMSprop): 'centered' is true, a Keras option GpuNet does not have"
        },
        {
            "\"metrics\": [\"accuracy\"]", "\"metrics\": [\"accuracy\", \"mae\"]",
            "'metrics' holds \"mae\"; GpuNet reports accuracy alone"
        },
    };

    [Theory]
    [MemberData(nameof(LackingCompileSettings))]
    public void Compile_settings_gpunet_lacks_are_refused_by_name(string original, string replacement, string expected)
    {
        string fixture = File.ReadAllText(Fixture("chollet-convnet-keras3.config.json"));
        Assert.Contains(original, fixture);
        string json = fixture.Replace(original, replacement, StringComparison.Ordinal);
        string file = Path.Combine(_folder, "model.json");
        File.WriteAllText(file, json);
        var error = Assert.Throws<GpuNetException>(() => KerasModelImport.ToConfig(KerasModelFile.Read(file)));
        output.WriteLine(error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": " +
                "[{\"class_name\": \"Dense\", \"config\": {\"units\": 10}}]}}",
        "the model does not say its input shape (it was saved before it was built)")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\"", "not valid JSON")]
    [InlineData("{\"layers\": []}", "expected a Keras model description with \"class_name\": \"Sequential\"")]
    [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": " +
                "[{\"class_name\": \"Dense\", \"config\": {\"units\": 10, \"batch_input_shape\": [null, 28, 28], " +
                    "\"activation\": \"relu\"}}]}}",
        "imports to a model GpuNet cannot build: model.layers[0] (Dense): expects a flat input (features,) " +
        "but gets (28, 28)")]
    public void Unreadable_model_files_are_refused_with_the_reason(string json, string expected)
    {
        string file = Path.Combine(_folder, "model.json");
        File.WriteAllText(file, json);
        var result = GpunetProcess.Run(_folder, "import-keras", file);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void Zip_without_config_json_is_refused()
    {
        string file = Path.Combine(_folder, "empty.keras");
        using (var zip = ZipFile.Open(file, ZipArchiveMode.Create)) zip.CreateEntry("metadata.json");
        var error = Assert.Throws<GpuNetException>(() => KerasModelFile.Read(file));
        Assert.Equal($"{file}: a zip without config.json; a .keras file written by model.save() holds config.json, " +
                     "metadata.json and the weights", error.Message);
    }

    /// <summary>A .keras file as model.save() lays it out: config.json and metadata.json.</summary>
    private string KerasArchive(string name, string configFixture)
    {
        string file = Path.Combine(_folder, name);
        using var zip = ZipFile.Open(file, ZipArchiveMode.Create);
        zip.CreateEntryFromFile(Fixture(configFixture), "config.json");
        using (var writer = new StreamWriter(zip.CreateEntry("metadata.json").Open()))
            writer.Write("{\"keras_version\": \"3.5.0\", \"date_saved\": \"2024-09-01@12:00:00\"}");
        return file;
    }
}
