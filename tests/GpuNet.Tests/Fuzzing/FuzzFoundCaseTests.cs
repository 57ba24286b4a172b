using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuNet.Config;
using GpuNet.Serialization;
using GpuNet.Training;

namespace GpuNet.Tests.Fuzzing;

/// <summary>
/// The files the reader fuzzing (and the probes beside it) found to end in something other than a
/// result or a <see cref="GpuNetException"/>, each kept as it was found, with what it must give now.
/// </summary>
public sealed class FuzzFoundCaseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpunet-fuzz-found-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ConfigException ConfigError(string text) =>
        Assert.Throws<ConfigException>(() => RunConfigReader.Read("found.yaml", text));

    private const string Rest = "\nloss: categorical_crossentropy\noptimizer: SGD\n";

    [Fact]
    public void Config_with_a_nul_byte_in_a_comment_is_a_syntax_error()
    {
        // Was: ArgumentException "The current event is of an unsupported type" from the YAML loader.
        var error = ConfigError("# a comment\0: with a NUL\nmodel:\n  layers: [Flatten, Dense: {units: 10}]" + Rest);
        Assert.Contains("found.yaml:", error.Message);
        Assert.Contains("YAML syntax error", error.Message);
    }

    [Fact]
    public void Config_with_a_size_key_and_no_value_is_refused_at_the_key()
    {
        // Was: InvalidOperationException "Nullable object must have a value" (a flow-mapping key alone has a null
        // value).
        var error =
            ConfigError("model:\n  input_shape: [28, 28, 1]\n  layers:\n    - Conv2D: {filters: 32, kernel_size, " +
                "activation: relu}\n" +
                                "    - Flatten\n    - Dense: {units: 10}" + Rest);
        Assert.Equal("found.yaml:4:40: model.layers[0].kernel_size: expected a positive integer or a pair [height, " +
            "width], got nothing", error.Message);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    [InlineData("- ", "")]
    [InlineData("? ", "")]
    public void Config_nested_far_too_deep_is_refused_instead_of_overflowing_the_stack(string open, string close)
    {
        // Was: the process ended with a stack overflow, which no handler can catch.
        const int depth = 200_000;
        string text = $"model:\n  layers:\n    {string.Concat(Enumerable.Repeat(open,
            depth))}x{string.Concat(Enumerable.Repeat(close, depth))}" + Rest;
        var error = ConfigError(text);
        Assert.Contains("lists and mappings nest more than 64 levels deep here", error.Message);
    }

    [Fact]
    public void Json_config_with_null_for_no_arguments_is_read()
    {
        // Was refused ("expected a mapping of keys to values, got 'null'") where "Flatten" alone is accepted.
        RunConfig config = RunConfigReader.Read("found.json",
            """{"model": {"input_shape": [28, 28], "layers": [""" +
            """{"Flatten": null}, {"Dense": {"units": 10}}]}, "loss": "mse", "optimizer": {"SGD": null}}""");
        Assert.Equal(["Flatten", "Dense"], config.Layers.Select(l => l.TypeName));
        // Quoted, it is the text "null", not YAML's null: Keras's first argument of Flatten, which GpuNet does not
        // take.
        Assert.Contains("unknown argument 'data_format' for Flatten",
            ConfigError("model:\n  layers: [Flatten: 'null', Dense: {units: 10}]" + Rest).Message);
    }

    [Fact]
    public void Safetensors_header_that_is_not_utf8_is_damage()
    {
        // Was: InvalidOperationException "Cannot transcode invalid UTF-8 JSON text" while the names were enumerated.
        byte[] file = SafeTensors("{\"dense/ker\u00FFnel\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            4);
        var error = Assert.Throws<GpuNetException>(() => SafeTensorsFile.Parse(file, "found.safetensors"));
        Assert.Equal("found.safetensors: not a valid safetensors file: the header is not valid UTF-8", error.Message);
    }

    [Fact]
    public void Safetensors_header_with_a_name_written_twice_is_damage()
    {
        byte[] file =
            SafeTensors("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}""" +
                ""","a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4);
        var error = Assert.Throws<GpuNetException>(() => SafeTensorsFile.Parse(file, "found.safetensors"));
        Assert.StartsWith("found.safetensors: not a valid safetensors file: the header is not valid JSON",
            error.Message);
    }

    [Fact]
    public void Safetensors_shape_past_an_int_is_damage_not_an_overflow()
    {
        byte[] file = SafeTensors("""{"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,4]}}""", 4);
        var error = Assert.Throws<GpuNetException>(() => SafeTensorsFile.Parse(file, "found.safetensors"));
        Assert.Equal("found.safetensors: not a valid safetensors file: tensor 'a' of shape (65536, 65536) needs " +
            "17,179,869,184 bytes but spans 4", error.Message);
    }

    [Fact]
    public void Checkpoint_with_a_key_written_twice_is_damaged()
    {
        // Was: ArgumentException "An item with the same key has already been added".
        var error = LoadChanged(state => state.Replace("\"iterations\":", "\"epoch\":1,\"iterations\":"));
        Assert.Contains("checkpoint.json: damaged checkpoint: a field is missing, repeated or has the wrong type",
            error.Message);
    }

    [Fact]
    public void Checkpoint_whose_early_stopping_state_lacks_a_field_is_damaged()
    {
        // Was: NullReferenceException in EarlyStopping.LoadState.
        var error = LoadChanged(state => state.Replace("\"best_epoch\":", "\"best_epochs\":"));
        Assert.Contains("checkpoint.json: damaged checkpoint: the state of EarlyStopping has a field missing or of " +
            "the wrong type", error.Message);
    }

    [Fact]
    public void Checkpoint_whose_early_stopping_state_has_a_field_of_another_type_is_damaged()
    {
        // Was: InvalidOperationException "An element of type 'Number' cannot be converted to a 'System.Int32'".
        var error = LoadChanged(state =>
            System.Text.RegularExpressions.Regex.Replace(state, "\"wait\":\\d+", "\"wait\":2147483648"));
        Assert.Contains("the state of EarlyStopping has a field missing or of the wrong type", error.Message);
    }

    [Theory]
    [InlineData("../../weights.safetensors")]
    [InlineData("/etc/hostname")]
    [InlineData("..")]
    public void Checkpoint_naming_a_weights_file_outside_its_folder_is_refused(string name)
    {
        var error = LoadChanged(state => SetField(state, "weights_file", JsonValue.Create(name)));
        Assert.Contains($"damaged checkpoint: its weights file '{name}' is not a file name in the run folder",
            error.Message);
    }

    [Theory]
    [InlineData("steps_done", 0)]
    [InlineData("steps_done", 100000)]
    [InlineData("samples_seen", 7)]
    [InlineData("batch_size", 0)]
    [InlineData("epoch", 5)]
    public void Checkpoint_position_outside_its_epoch_is_damaged(string field, int value)
    {
        var error = LoadChanged(state =>
        {
            var node = JsonNode.Parse(state)!.AsObject();
            node["position"]![field] = value;
            return node.ToJsonString();
        }, midEpoch: true);
        Assert.Contains("checkpoint.json: damaged checkpoint: its position ", error.Message);
    }

    [Fact]
    public void History_with_a_key_written_twice_is_refused()
    {
        // Was: ArgumentException "An item with the same key has already been added. Key: loss".
        string text =
            """{"epochs": [{"epoch": 1, "loss": 0.9, "loss": 0.5, "accuracy": 0.7, "seconds": 1.5, "lr": 0.01}]}""";
        var error = Assert.Throws<GpuNetException>(() => HistoryFiles.Parse(text, "history.json"));
        Assert.StartsWith("history.json: not a history file written by gpunet train (An item with the same key has " +
            "already been added. Key: loss)", error.Message);
    }

    /// <summary>Loads and restores a real checkpoint whose state was changed by <paramref name="change"/> and signed
    /// again.</summary>
    private GpuNetException LoadChanged(Func<string, string> change, bool midEpoch = false)
    {
        var (folder, seeds) = FuzzSeeds.Checkpoints(_folder);
        string state = JsonDocument.Parse(seeds[midEpoch ? 1 : 0]).RootElement.GetProperty("state").GetRawText();
        string changed = change(state);
        Assert.NotEqual(state, changed);
        using var trainer = FuzzSeeds.CheckpointTrainer();
        return Assert.Throws<GpuNetException>(() =>
            ReaderFuzzTests.ReadCheckpoint(folder, ReaderFuzzTests.Signed(Encoding.UTF8.GetBytes(changed)), trainer));
    }

    private static string SetField(string state, string field, JsonNode value)
    {
        var node = JsonNode.Parse(state)!.AsObject();
        node[field] = value;
        return node.ToJsonString();
    }

    /// <summary>A safetensors file with this header (as Latin-1 bytes, so ÿ is the one byte 0xFF, never UTF-8) and
    /// data.</summary>
    private static byte[] SafeTensors(string header, int dataBytes)
    {
        byte[] headerBytes = Encoding.Latin1.GetBytes(header);
        var file = new byte[8 + headerBytes.Length + dataBytes];
        BitConverter.TryWriteBytes(file.AsSpan(0, 8), (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        return file;
    }
}
