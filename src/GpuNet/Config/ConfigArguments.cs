namespace GpuNet.Config;

/// <summary>
/// The arguments of one layer or optimizer in a config. Each read marks its key as known, and
/// <see cref="RejectUnknown"/> then names any key that nobody read, with the valid ones.
/// </summary>
public sealed class ConfigArguments
{
    private readonly Dictionary<string, ConfigNode> _values = new(StringComparer.Ordinal);
    private readonly List<string> _known = [];

    /// <param name="owner">The node that names the layer; errors without a key point at it.</param>
    /// <param name="arguments">A mapping of arguments, or null when the layer was given by name alone.</param>
    public ConfigArguments(ConfigNode owner, ConfigNode? arguments)
    {
        Owner = owner;
        // "Flatten:", "Flatten: ~" and JSON's {"Flatten": null} all mean no arguments, as a bare "Flatten" does.
        if (arguments is null || arguments.IsNull) return;
        foreach (var (key, value) in arguments.Entries()) _values[key] = value;
    }

    /// <param name="owner">The node that names the layer; errors without a key point at it.</param>
    /// <param name="arguments">The arguments by name, each at its place in the file.</param>
    public ConfigArguments(ConfigNode owner, IEnumerable<(string Key, ConfigNode Value)> arguments)
    {
        Owner = owner;
        foreach (var (key, value) in arguments) _values[key] = value;
    }

    public ConfigNode Owner { get; }

    public ConfigNode? Get(string key)
    {
        _known.Add(key);
        return _values.GetValueOrDefault(key);
    }

    public ConfigNode Required(string key)
    {
        _known.Add(key);
        if (_values.TryGetValue(key, out ConfigNode? node)) return node;
        string given = _values.Count == 0 ? "none" : string.Join(", ", _values.Keys);
        throw Owner.Error($"missing required argument '{key}' (arguments given: {given})");
    }

    public int PositiveInt(string key) => Required(key).AsPositiveInt();

    public int Int(string key, int fallback) => Get(key)?.AsInt() ?? fallback;

    public float Float(string key, float fallback) => Get(key)?.AsFloat() ?? fallback;

    public bool Bool(string key, bool fallback) => Get(key)?.AsBool() ?? fallback;

    public string? String(string key, string? fallback = null) => Get(key)?.AsString() ?? fallback;

    public void RejectUnknown(string what)
    {
        foreach (var (key, node) in _values)
        {
            if (!_known.Contains(key))
                throw node.Error($"unknown argument '{key}' for {what}; valid arguments are {(_known.Count == 0
                    ? "none" : string.Join(", ", _known.Distinct()))}");
        }
    }
}
