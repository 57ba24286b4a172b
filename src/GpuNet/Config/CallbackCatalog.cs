using GpuNet.Training;

namespace GpuNet.Config;

/// <summary>The callbacks a config may list: early stopping and learning-rate schedules.</summary>
public static class CallbackCatalog
{
    private static readonly NamedEntryCatalog<TrainingCallback> Catalog = new("callback",
        new Dictionary<string, Func<ConfigArguments, TrainingCallback>>(StringComparer.Ordinal)
    {
        ["EarlyStopping"] = a => new EarlyStopping(
            a.String("monitor", "val_loss")!, a.Int("patience", 0), a.Float("min_delta", 0f),
                a.Bool("restore_best_weights", false), a.String("mode", "auto")!),
        ["StepDecay"] = a => new StepDecay(a.Float("drop", 0.5f), a.Int("epochs_drop", 10)),
        ["ExponentialDecay"] = a =>
            new ExponentialDecay(a.PositiveInt("decay_steps"), a.Required("decay_rate").AsFloat(),
                a.Bool("staircase", false)),
    }, KerasSignatures.Callbacks);

    public static IReadOnlyCollection<string> Names => Catalog.Names;

    /// <summary>Checks the entries now and returns a factory: every run needs callbacks with fresh state.</summary>
    public static Func<IReadOnlyList<TrainingCallback>> Read(ConfigNode? list)
    {
        if (list is null) return () => [];
        IReadOnlyList<ConfigNode> entries = list.Items();
        foreach (ConfigNode entry in entries) Catalog.Read(entry);
        return () => entries.Select(Catalog.Read).ToList();
    }
}
