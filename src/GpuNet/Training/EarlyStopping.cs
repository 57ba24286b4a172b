using System.Text.Json.Nodes;

namespace GpuNet.Training;

/// <summary>
/// Keras's EarlyStopping: stop when the monitored value has not improved by more than
/// <c>min_delta</c> for <c>patience</c> epochs; optionally go back to the best epoch's weights.
/// </summary>
public sealed class EarlyStopping : TrainingCallback
{
    private Trainer? _trainer;
    private IReadOnlyList<Serialization.NamedTensor>? _bestWeights;

    public EarlyStopping(string monitor = "val_loss", int patience = 0, float minDelta = 0f,
        bool restoreBestWeights = false, string mode = "auto")
    {
        if (!EpochLogs.Names.Concat(["acc", "val_acc"]).Contains(monitor))
            throw new GpuNetException($"EarlyStopping: unknown monitor '{monitor}'; valid values are {string.Join(", ",
                EpochLogs.Names)}");
        if (patience < 0) throw new GpuNetException($"EarlyStopping: 'patience' must be ≥ 0, got {patience}");
        if (mode is not ("auto" or "min" or "max"))
            throw new GpuNetException($"EarlyStopping: 'mode' must be auto, min or max, got '{mode}'");
        Monitor = monitor;
        Patience = patience;
        MinDelta = Math.Abs(minDelta);
        RestoreBestWeights = restoreBestWeights;
        // As Keras's 'auto': accuracies are maximised, everything else minimised.
        Maximize = mode == "max" || (mode == "auto" && monitor.Contains("acc"));
    }

    public string Monitor { get; }

    public int Patience { get; }

    public float MinDelta { get; }

    public bool RestoreBestWeights { get; }

    public bool Maximize { get; }

    public float Best { get; private set; }

    public int BestEpoch { get; private set; }

    public int Wait { get; private set; }

    /// <summary>The epoch after which training was stopped, or 0 if it ran to the end.</summary>
    public int StoppedEpoch { get; private set; }

    public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch)
    {
        _trainer = trainer;
        if (initialEpoch > 0 && BestEpoch > 0) return; // resumed: state came from the checkpoint
        Best = Maximize ? float.NegativeInfinity : float.PositiveInfinity;
        BestEpoch = Wait = StoppedEpoch = 0;
        _bestWeights = null;
    }

    public override void OnEpochEnd(EpochLogs logs)
    {
        float current = logs[Monitor] ?? throw new GpuNetException(
            $"EarlyStopping monitors '{Monitor}' but this run does not log it; set validation_data or " +
                $"validation_split, or monitor loss");
        bool improved = Maximize ? current - MinDelta > Best : current + MinDelta < Best;
        if (improved)
        {
            Best = current;
            BestEpoch = logs.Epoch;
            Wait = 0;
            if (RestoreBestWeights) _bestWeights = _trainer!.GetWeights();
            return;
        }
        Wait++;
        if (Wait < Patience) return;
        StoppedEpoch = logs.Epoch;
        _trainer!.StopTraining = true;
        if (RestoreBestWeights && _bestWeights is not null)
            _trainer.SetWeights(_bestWeights.ToDictionary(t => t.Name), "the best epoch's weights");
    }

    public override IReadOnlyList<Serialization.NamedTensor> SaveTensors() =>
        _bestWeights?.Select(t => t with { Name = "best/" + t.Name }).ToList() ?? [];

    public override void LoadTensors(IReadOnlyDictionary<string, Serialization.NamedTensor> tensors)
    {
        var best = tensors.Values.Where(t => t.Name.StartsWith("best/", StringComparison.Ordinal)).Select(t =>
            t with { Name = t.Name[5..] }).ToList();
        _bestWeights = best.Count > 0 ? best : null;
    }

    // Before the first epoch ends (a checkpoint in its middle) there is no best yet: ±∞, which JSON cannot hold.
    public override JsonObject? SaveState() => new()
    {
        ["best"] = float.IsFinite(Best) ? Best : null, ["best_epoch"] = BestEpoch, ["wait"] = Wait,
    };

    public override void LoadState(JsonObject state)
    {
        Best = state["best"]?.GetValue<float>() ?? (Maximize ? float.NegativeInfinity : float.PositiveInfinity);
        BestEpoch = state["best_epoch"]!.GetValue<int>();
        Wait = state["wait"]!.GetValue<int>();
    }
}
