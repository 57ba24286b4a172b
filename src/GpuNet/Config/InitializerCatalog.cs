using GpuNet.Models;

namespace GpuNet.Config;

/// <summary>The initializers a config may name: "zeros", or "constant: {value: 2}".</summary>
public static class InitializerCatalog
{
    private static readonly Dictionary<string, Func<ConfigArguments, Initializer>> Factories = new(StringComparer.Ordinal)
    {
        ["glorot_uniform"] = _ => Initializer.GlorotUniform,
        ["zeros"] = _ => Initializer.Zeros,
        ["ones"] = _ => Initializer.Ones,
        ["constant"] = a => new ConstantInitializer(a.Float("value", 0f)),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>The initializer under <paramref name="key"/>, or null when the key is absent (the layer's default).</summary>
    public static Initializer? Read(ConfigArguments owner, string key)
    {
        ConfigNode? node = owner.Get(key);
        if (node is null) return null;
        (string name, ConfigNode? arguments) = LayerCatalog.SplitEntry(node);
        if (!Factories.TryGetValue(name, out var factory))
            throw node.Error($"unknown initializer '{name}'; valid initializers are {string.Join(", ", Names)}");
        var args = new ConfigArguments(node, arguments);
        Initializer initializer = factory(args);
        args.RejectUnknown(name);
        return initializer;
    }
}
