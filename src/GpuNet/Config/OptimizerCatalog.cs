using GpuNet.Optimizers;

namespace GpuNet.Config;

/// <summary>The optimizers a config may name, with Keras's argument names and defaults.</summary>
public static class OptimizerCatalog
{
    // Keras 2's argument names and defaults (the lecture notes' Keras).
    private static readonly NamedEntryCatalog<Optimizer> Catalog = new("optimizer",
        new Dictionary<string, Func<ConfigArguments, Optimizer>>(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = a =>
            new Sgd(LearningRate(a, 0.01f), a.Float("momentum", 0f), a.Float("decay", 0f), a.Bool("nesterov", false)),
        ["Adagrad"] = a => new Adagrad(LearningRate(a, 0.01f), a.Float("epsilon", 1e-7f), a.Float("decay", 0f)),
        ["Adadelta"] = a =>
            new Adadelta(LearningRate(a, 1f), a.Float("rho", 0.95f), a.Float("epsilon", 1e-7f), a.Float("decay", 0f)),
        ["RMSprop"] = a =>
            new Rmsprop(LearningRate(a, 0.001f), a.Float("rho", 0.9f), a.Float("epsilon", 1e-7f), a.Float("decay", 0f)),
        ["Adam"] = a =>
            new Adam(LearningRate(a, 0.001f), a.Float("beta_1", 0.9f), a.Float("beta_2", 0.999f),
                a.Float("epsilon", 1e-7f), a.Float("decay", 0f)),
        ["Adamax"] = a =>
            new Adamax(LearningRate(a, 0.002f), a.Float("beta_1", 0.9f), a.Float("beta_2", 0.999f),
                a.Float("epsilon", 1e-7f), a.Float("decay", 0f)),
        ["Nadam"] = a =>
            new Nadam(LearningRate(a, 0.002f), a.Float("beta_1", 0.9f), a.Float("beta_2", 0.999f),
                a.Float("epsilon", 1e-7f), a.Float("schedule_decay", 0.004f)),
    }, KerasSignatures.Optimizers);

    public static IReadOnlyCollection<string> Names => Catalog.Names;

    /// <summary>
    /// Checks the optimizer entry now and returns a factory, because every trainer (each member of
    /// an ensemble, a resumed run) needs an optimizer with fresh state.
    /// </summary>
    public static Func<Optimizer> Read(ConfigNode entry)
    {
        Catalog.Read(entry);
        return () => Catalog.Read(entry);
    }

    // Keras accepts both the old 'lr' and the newer 'learning_rate'.
    private static float LearningRate(ConfigArguments a, float fallback)
    {
        ConfigNode? node = a.Get("learning_rate") ?? a.Get("lr");
        if (node is null) return fallback;
        float value = node.AsFloat();
        return value > 0f ? value : throw node.Error($"expected a positive learning rate, got {value}");
    }
}
