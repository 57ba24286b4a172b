using GpuNet.Parameters;

namespace GpuNet.Config;

/// <summary>The initializers a config may name: "zeros", or "constant: {value: 2}".</summary>
public static class InitializerCatalog
{
    private static readonly NamedEntryCatalog<Initializer> Catalog = new("initializer",
        new Dictionary<string, Func<ConfigArguments, Initializer>>(StringComparer.Ordinal)
    {
        ["glorot_uniform"] = _ => Initializer.GlorotUniform,
        ["glorot_normal"] = _ => Initializer.GlorotNormal,
        ["he_uniform"] = _ => Initializer.HeUniform,
        ["he_normal"] = _ => Initializer.HeNormal,
        ["random_normal"] = a => new RandomNormalInitializer(a.Float("mean", 0f), a.Float("stddev", 0.05f)),
        ["random_uniform"] = a => new RandomUniformInitializer(a.Float("minval", -0.05f), a.Float("maxval", 0.05f)),
        ["zeros"] = _ => Initializer.Zeros,
        ["ones"] = _ => Initializer.Ones,
        ["constant"] = a => new ConstantInitializer(a.Float("value", 0f)),
    });

    public static IReadOnlyCollection<string> Names => Catalog.Names;

    /// <summary>The initializer under <paramref name="key"/>, or null when the key is absent (the layer's
    /// default).</summary>
    public static Initializer? Read(ConfigArguments owner, string key) => owner.Get(key) is { } node
        ? Catalog.Read(node) : null;
}
