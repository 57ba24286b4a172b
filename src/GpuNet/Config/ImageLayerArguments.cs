using GpuNet.Ops;

namespace GpuNet.Config;

/// <summary>
/// Readers for the arguments of the convolutional layers, in Keras's forms: kernel_size: 5 or
/// [5, 3], strides: null meaning "the pool size", padding: valid or same, a dropout rate in [0, 1).
/// </summary>
internal static class ImageLayerArguments
{
    /// <summary>An int n (meaning (n, n)) or a pair [height, width]; <paramref name="fallback"/> when absent or
    /// null.</summary>
    public static (int Height, int Width)? Pair(ConfigArguments a, string key, (int, int)? fallback = null)
    {
        ConfigNode? node = a.Get(key);
        if (node is null || node.IsNull) return fallback;
        if (node.IsScalar)
        {
            int size = node.AsPositiveInt();
            return (size, size);
        }
        if (!node.IsSequence) throw node.Error("expected a positive integer or a pair [height, width], got a mapping");
        IReadOnlyList<ConfigNode> items = node.Items();
        if (items.Count != 2)
            throw node.Error($"expected a positive integer or a pair [height, width], got {items.Count} values");
        return (items[0].AsPositiveInt(), items[1].AsPositiveInt());
    }

    public static (int Height, int Width) RequiredPair(ConfigArguments a, string key)
    {
        ConfigNode node = a.Required(key);
        // Found by fuzzing: "{kernel_size, filters: 3}" gives the key a null value, which must not pass for a size.
        return Pair(a, key) ?? throw node.Error("expected a positive integer or a pair [height, width], got nothing");
    }

    public static string Padding(ConfigArguments a)
    {
        ConfigNode? node = a.Get("padding");
        if (node is null) return "valid";
        string name = node.AsString();
        if (!PaddingNames.Names.Contains(name.ToLowerInvariant()))
            throw node.Error($"expected 'valid' or 'same', got '{name}'");
        return name;
    }

    /// <summary>Dropout's rate: the fraction of values dropped, in [0, 1).</summary>
    public static float Rate(ConfigArguments a)
    {
        ConfigNode node = a.Required("rate");
        float rate = node.AsFloat();
        return rate >= 0f && rate < 1f ? rate : throw node.Error($"expected a rate in [0, 1), got {node.Scalar}");
    }

    public static float Momentum(ConfigArguments a)
    {
        ConfigNode? node = a.Get("momentum");
        if (node is null) return 0.99f;
        float value = node.AsFloat();
        return value >= 0f && value <= 1f ? value
            : throw node.Error($"expected a momentum in [0, 1], got {node.Scalar}");
    }

    public static float Epsilon(ConfigArguments a)
    {
        ConfigNode? node = a.Get("epsilon");
        if (node is null) return 1e-3f;
        float value = node.AsFloat();
        return value > 0f ? value : throw node.Error($"expected a positive number, got {node.Scalar}");
    }

    /// <summary>Only the last axis (features, or channels of an image) is normalized, Keras's default axis =
    /// -1.</summary>
    public static void CheckLastAxis(ConfigArguments a)
    {
        ConfigNode? node = a.Get("axis");
        if (node is not null && node.AsInt() != -1)
            throw node.Error($"only axis -1 (the features, or the channels of an image) is supported, got " +
                $"{node.Scalar}");
    }
}
