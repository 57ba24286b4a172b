using GpuNet.Graph;

namespace GpuNet.Layers;

/// <summary>
/// A Keras-style layer: its arguments, and how it turns into ops. Layers are descriptions;
/// the graph they build holds the computation.
/// </summary>
public abstract class Layer
{
    /// <summary>The Keras class name, e.g. "Dense"; also the name used in config files.</summary>
    public abstract string TypeName { get; }

    /// <summary>The name's stem for automatic names: "dense" gives dense, dense_1, dense_2…</summary>
    public virtual string NameStem => string.Concat(TypeName.Select((c, i) =>
        char.IsUpper(c) && i > 0 && !char.IsUpper(TypeName[i - 1]) ? "_" + char.ToLowerInvariant(c)
            : char.ToLowerInvariant(c).ToString()));

    /// <summary>Adds this layer's ops after <paramref name="input"/> and returns its output.</summary>
    public abstract Value Build(LayerBuilder builder, Value input);

    /// <summary>The layer's arguments by their Keras names; building a layer from them gives this layer back.</summary>
    public abstract IReadOnlyDictionary<string, object?> GetConfig();
}
