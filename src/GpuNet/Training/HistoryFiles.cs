using GpuNet.Parameters;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GpuNet.Serialization;

namespace GpuNet.Training;

/// <summary>A run's history as CSV (for spreadsheets) and JSON (for programs), rewritten whole after each
/// epoch.</summary>
public static class HistoryFiles
{
    public static void Write(RunFolder folder, History history)
    {
        var csv = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,seconds,lr\n");
        foreach (EpochLogs e in history.Epochs)
            csv.Append(CultureInfo.InvariantCulture,
                $"{e.Epoch},{e.Loss:R},{e.Accuracy:R},{e.ValidationLoss:R},{e.ValidationAccuracy:R}," +
                $"{e.Seconds:0.###},{e.LearningRate:R}\n");
        AtomicFile.WriteAllText(folder.HistoryCsvFile, csv.ToString());
        AtomicFile.WriteAllText(folder.HistoryJsonFile,
            ToJson(history).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads a history.json written by <see cref="Write"/>; anything else is refused by name.</summary>
    public static History Read(string path)
    {
        if (!File.Exists(path))
            throw new GpuNetException($"{path}: not found; the run folder's history is needed for the curves");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Reads the text of a history.json; <paramref name="path"/> names it in messages.</summary>
    public static History Parse(string text, string path)
    {
        try
        {
            return FromJson(JsonNode.Parse(text)!.AsObject());
        }
        // ArgumentException: a key written twice in one epoch (found by fuzzing).
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException
                                       or NullReferenceException or FormatException or ArgumentException)
        {
            throw new GpuNetException(
                $"{path}: not a history file written by gpunet train ({e.Message.Split(" (Parameter")[0]})");
        }
    }

    public static JsonObject ToJson(History history) => new()
    {
        ["epochs"] = new JsonArray(history.Epochs.Select(e => (JsonNode?)new JsonObject
        {
            ["epoch"] = e.Epoch,
            ["loss"] = e.Loss,
            ["accuracy"] = e.Accuracy,
            ["val_loss"] = e.ValidationLoss,
            ["val_accuracy"] = e.ValidationAccuracy,
            ["seconds"] = e.Seconds,
            ["lr"] = e.LearningRate,
            ["gradient_norms"] = new JsonObject(e.GradientNorms.Select(g =>
                KeyValuePair.Create(g.Layer, (JsonNode?)JsonValue.Create(g.Norm)))),
        }).ToArray()),
    };

    public static History FromJson(JsonObject json) => new(json["epochs"]!.AsArray().Select(e => new EpochLogs(
        e!["epoch"]!.GetValue<int>(),
        e["loss"]!.GetValue<float>(),
        e["accuracy"]!.GetValue<float>(),
        e["val_loss"]?.GetValue<float>(),
        e["val_accuracy"]?.GetValue<float>(),
        e["seconds"]!.GetValue<double>(),
        e["lr"]!.GetValue<float>())
    {
        GradientNorms = e["gradient_norms"] is JsonObject norms
            ? norms.Select(n => new LayerGradientNorm(n.Key, n.Value!.GetValue<float>())).ToArray()
            : [],
    }));
}
