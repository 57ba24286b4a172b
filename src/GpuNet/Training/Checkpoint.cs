using GpuNet.Parameters;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuNet.Serialization;

namespace GpuNet.Training;

/// <summary>
/// The state of a run after a finished epoch, or after a step in the middle of one: weights,
/// optimizer state and callbacks' tensors in a safetensors file, and checkpoint.json with the
/// config, epoch, step count, random state, history and, in the middle of an epoch, the position
/// in it (<see cref="EpochProgress"/>). Both carry checksums, so a truncated or altered checkpoint
/// is refused, never loaded.
/// </summary>
/// <remarks>
/// Order of writing: the new safetensors file under a new name, then checkpoint.json replaced
/// atomically, then the old safetensors file removed. A crash or failed write at any point leaves
/// a checkpoint.json that names an intact weights file.
/// </remarks>
public sealed class Checkpoint
{
    public const string Format = "gpunet-checkpoint-1";

    private Checkpoint(int epoch, long iterations, ulong seed, string configText, History history,
        JsonObject callbackStates, IReadOnlyDictionary<string, NamedTensor> tensors, EpochProgress? progress)
    {
        Progress = progress;
        Epoch = epoch;
        Iterations = iterations;
        Seed = seed;
        ConfigText = configText;
        History = history;
        CallbackStates = callbackStates;
        Tensors = tensors;
    }

    /// <summary>Epochs finished.</summary>
    public int Epoch { get; }

    /// <summary>Where epoch <see cref="Epoch"/> + 1 stood when the run stopped in the middle of it, or null after a
    /// whole epoch.</summary>
    public EpochProgress? Progress { get; }

    /// <summary>Optimizer steps taken; with the seed, the whole random state of the run.</summary>
    public long Iterations { get; }

    public ulong Seed { get; }

    public string ConfigText { get; }

    public History History { get; }

    public JsonObject CallbackStates { get; }

    public IReadOnlyDictionary<string, NamedTensor> Tensors { get; }

    /// <param name="epoch">Epochs finished.</param>
    /// <param name="progress">Where epoch <paramref name="epoch"/> + 1 stands, for a checkpoint in the middle of
    /// it.</param>
    public static void Save(RunFolder folder, Trainer trainer, int epoch, History history,
        IReadOnlyList<TrainingCallback> callbacks, string configText, EpochProgress? progress = null)
    {
        if (progress is not null && progress.Epoch != epoch + 1)
            throw new ArgumentException($"a position in epoch {progress.Epoch} belongs to a checkpoint after epoch " +
                                        $"{progress.Epoch - 1}, not {epoch}");
        var tensors = new List<NamedTensor>(trainer.GetWeights());
        tensors.AddRange(trainer.GetOptimizerState());
        var callbackStates = new JsonObject();
        foreach (TrainingCallback c in callbacks)
        {
            if (c.SaveState() is { } callbackState) callbackStates[c.StateKey] = callbackState;
            tensors.AddRange(c.SaveTensors().Select(t => t with { Name = $"callbacks/{c.StateKey}/{t.Name}" }));
        }
        string weightsName = progress is null
            ? $"checkpoint-epoch{epoch:D4}.safetensors"
            : $"checkpoint-epoch{progress.Epoch:D4}-step{progress.StepsDone:D6}.safetensors";
        string weightsPath = folder.Combine(weightsName);
        SafeTensorsFile.Write(weightsPath, tensors,
            new Dictionary<string, string> { ["format"] = Format,
                ["epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var state = new JsonObject
        {
            ["format"] = Format,
            ["epoch"] = epoch,
            ["iterations"] = trainer.Iterations,
            ["random"] = new JsonObject { ["generator"] = "philox4x32-10", ["seed"] = trainer.Seed,
                ["step"] = trainer.Iterations },
            ["optimizer"] = new JsonObject { ["name"] = trainer.Optimizer.Name,
                ["learning_rate"] = trainer.Optimizer.LearningRate },
            ["weights_file"] = weightsName,
            ["weights_sha256"] = Sha256OfFile(weightsPath),
            ["callbacks"] = callbackStates,
            ["history"] = HistoryFiles.ToJson(history),
            ["config"] = configText,
        };
        if (progress is not null) state["position"] = PositionToJson(progress);
        string stateText = state.ToJsonString();
        var document = new JsonObject { ["sha256"] = Sha256(Encoding.UTF8.GetBytes(stateText)),
            ["state"] = JsonNode.Parse(stateText) };
        AtomicFile.WriteAllText(folder.CheckpointFile, document.ToJsonString());

        foreach (string old in Directory.EnumerateFiles(folder.Path, "checkpoint-epoch*.safetensors"))
        {
            if (Path.GetFileName(old) != weightsName) File.Delete(old);
        }
    }

    /// <summary>Reads and verifies the checkpoint of a run folder.</summary>
    public static Checkpoint Load(RunFolder folder)
    {
        string file = folder.CheckpointFile;
        if (!File.Exists(file))
            throw new GpuNetException($"{file}: no checkpoint in this run folder (a run writes one at the end of each "
                +
                $"epoch)");
        string text = File.ReadAllText(file);
        JsonElement stateElement;
        string expectedSha;
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            stateElement = document.RootElement.GetProperty("state").Clone();
            expectedSha = document.RootElement.GetProperty("sha256").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new GpuNetException($"{file}: damaged checkpoint: expected a JSON object with 'sha256' and 'state' " +
                $"({e.Message})");
        }
        // The checksum covers the exact bytes of the state, so any altered or lost character is caught.
        string actualSha = Sha256(Encoding.UTF8.GetBytes(stateElement.GetRawText()));
        if (actualSha != expectedSha)
            throw new GpuNetException($"{file}: damaged checkpoint: its content does not match its checksum (expected "
                +
                $"{expectedSha}, got {actualSha})");

        try
        {
            JsonObject state = JsonNode.Parse(stateElement.GetRawText())!.AsObject();
            if (state["format"]?.GetValue<string>() != Format)
                throw new GpuNetException($"{file}: not a GpuNet checkpoint of format {Format}");
            string weightsName = state["weights_file"]!.GetValue<string>();
            // Only a file of the run folder: a name that climbs out of it or is absolute is damage, not a place to
            // read.
            if (weightsName.Length == 0 || Path.GetFileName(weightsName) != weightsName || weightsName is "." or "..")
                throw new GpuNetException($"{file}: damaged checkpoint: its weights file '{weightsName}' is not " +
                                          "a file name in the run folder");
            string weightsPath = folder.Combine(weightsName);
            if (!File.Exists(weightsPath))
                throw new GpuNetException($"{weightsPath}: the weights file named by {file} is missing");
            string weightsSha = state["weights_sha256"]!.GetValue<string>();
            if (Sha256OfFile(weightsPath) != weightsSha)
                throw new GpuNetException($"{weightsPath}: damaged checkpoint: the file does not match the SHA-256 " +
                    $"recorded in {file} (truncated or altered)");
            var (tensors, _) = SafeTensorsFile.Read(weightsPath);
            int epoch = state["epoch"]!.GetValue<int>();
            EpochProgress? progress = state["position"] is JsonObject position ? PositionFromJson(position) : null;
            if (progress?.Inconsistency(epoch) is { } wrong)
                throw new GpuNetException($"{file}: damaged checkpoint: its position {wrong}");
            return new Checkpoint(
                epoch,
                state["iterations"]!.GetValue<long>(),
                state["random"]!["seed"]!.GetValue<ulong>(),
                state["config"]!.GetValue<string>(),
                HistoryFiles.FromJson(state["history"]!.AsObject()),
                state["callbacks"]!.AsObject(),
                tensors,
                progress);
        }
        // ArgumentException: a key written twice (found by fuzzing).
        catch (Exception e) when (IsFieldError(e))
        {
            throw new GpuNetException($"{file}: damaged checkpoint: a field is missing, repeated or has the wrong " +
                                      $"type ({e.Message.Split(" (Parameter")[0]})");
        }
    }


    /// <summary>Puts the trainer and callbacks where the checkpointed run stood after its last epoch.</summary>
    public void Restore(Trainer trainer, IReadOnlyList<TrainingCallback> callbacks, string source)
    {
        if (trainer.Seed != Seed)
            throw new GpuNetException($"{source}: the checkpoint was made with seed {Seed} but this run has seed " +
                $"{trainer.Seed}; resume with the same seed");
        trainer.SetWeights(Tensors, source);
        trainer.SetOptimizerState(Tensors, Iterations, source);
        foreach (TrainingCallback c in callbacks)
        {
            try
            {
                if (CallbackStates[c.StateKey] is JsonObject state) c.LoadState(state);
            }
            // Found by fuzzing: a callback's state with a field missing or of another type.
            catch (Exception e) when (IsFieldError(e))
            {
                throw new GpuNetException($"{source}: damaged checkpoint: the state of {c.StateKey} has a field " +
                                          $"missing or of the wrong type ({e.Message})");
            }
            string prefix = $"callbacks/{c.StateKey}/";
            c.LoadTensors(Tensors.Values.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(t => t.Name[prefix.Length..], t => t with { Name = t.Name[prefix.Length..] }));
        }
    }

    private static JsonObject PositionToJson(EpochProgress p) => new()
    {
        ["epoch"] = p.Epoch,
        ["steps_done"] = p.StepsDone,
        ["samples_seen"] = p.SamplesSeen,
        ["loss_sum"] = p.LossSum,
        ["correct_sum"] = p.CorrectSum,
        ["gradient_norm_sums"] = new JsonArray([.. p.GradientNormSums.Select(v => (JsonNode?)JsonValue.Create(v))]),
        ["seconds"] = p.Seconds,
        ["batch_size"] = p.BatchSize,
        ["training_samples"] = p.TrainingSamples,
    };

    private static EpochProgress PositionFromJson(JsonObject p) => new(
        p["epoch"]!.GetValue<int>(),
        p["steps_done"]!.GetValue<int>(),
        p["samples_seen"]!.GetValue<int>(),
        p["loss_sum"]!.GetValue<float>(),
        p["correct_sum"]!.GetValue<float>(),
        p["gradient_norm_sums"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray(),
        p["seconds"]!.GetValue<double>(),
        p["batch_size"]!.GetValue<int>(),
        p["training_samples"]!.GetValue<int>());

    // How System.Text.Json reports a field that is missing (null), of another type, out of range or repeated.
    private static bool IsFieldError(Exception e) =>
        e is NullReferenceException or InvalidOperationException or FormatException or ArgumentException;

    private static string Sha256OfFile(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
