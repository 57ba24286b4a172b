using System.Globalization;
using System.Text.Json.Nodes;

namespace GpuNet.Config.Import;

/// <summary>
/// The config of one Keras object (a layer, an optimizer, a loss), read key by key. Every key must
/// be read, accepted at its Keras default, or be an option left off (null or false): anything else
/// is something GpuNet lacks, and is refused with the object and the key named.
/// </summary>
internal sealed class KerasConfigReader(string where, JsonObject config)
{
    private readonly HashSet<string> _read = [];

    /// <summary>How errors name the object, e.g. "model.json: layers[3] 'lstm' (LSTM)".</summary>
    public string Where { get; } = where;

    public JsonNode? this[string key]
    {
        get
        {
            _read.Add(key);
            return config[key];
        }
    }

    public bool Has(string key) => config.ContainsKey(key);

    public GpuNetException Error(string reason) => new($"{Where}: {reason}");

    public GpuNetException Error(string key, string reason) => new($"{Where}: '{key}' {reason}");

    /// <summary>Keys that change nothing GpuNet computes (a name, a seed for weights that are not imported).</summary>
    public void Ignore(params string[] keys)
    {
        foreach (string key in keys) _read.Add(key);
    }

    /// <summary>
    /// Accepts <paramref name="key"/> absent or at a value <paramref name="accepts"/> allows, which the
    /// error describes as <paramref name="supported"/>.
    /// </summary>
    public void Require(string key, string supported, Func<JsonNode?, bool> accepts)
    {
        JsonNode? value = this[key];
        if (Has(key) && !accepts(value)) throw Error(key, $"is {Show(value)}; GpuNet supports {supported} only");
    }

    public void RequireNull(params string[] keys)
    {
        foreach (string key in keys) Require(key, "null", v => v is null);
    }

    public void RejectUnread()
    {
        foreach (var (key, value) in config)
        {
            if (_read.Contains(key) || value is null || IsFalse(value)) continue;
            throw Error(key, $"is {Show(value)}, a Keras option GpuNet does not have");
        }
    }

    public int Int(string key) => this[key] is JsonValue v && v.TryGetValue(out int i)
        ? i
        : throw Error(key, $"expected an integer, got {Show(config[key])}");

    public string String(string key) => this[key] is JsonValue v && v.TryGetValue(out string? s)
        ? s
        : throw Error(key, $"expected a string, got {Show(config[key])}");

    public bool Bool(string key, bool fallback) => this[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue(out bool b) => b,
        var other => throw Error(key, $"expected true or false, got {Show(other)}"),
    };

    /// <summary>A number as Keras wrote it (its exact text), or null when absent.</summary>
    public string? Number(string key) => this[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double _) => v.ToJsonString(),
        var other => throw Error(key, $"expected a number, got {Show(other)}"),
    };

    public double? Double(string key) => Number(key) is { } text ? ParseNumber(text) : null;

    public static double ParseNumber(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>A list of integers, such as a kernel_size [3, 3]; a single integer n stands for [n, n].</summary>
    public int[] Ints(string key, int pairOf = 0)
    {
        JsonNode? node = this[key];
        if (node is JsonValue v && v.TryGetValue(out int single) && pairOf > 0)
            return Enumerable.Repeat(single, pairOf).ToArray();
        if (node is JsonArray list && list.All(item => item is JsonValue iv && iv.TryGetValue(out int _)))
            return list.Select(item => item!.GetValue<int>()).ToArray();
        throw Error(key, $"expected a list of integers, got {Show(node)}");
    }

    /// <summary>The string a node holds, or null when it holds none.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static bool IsFalse(JsonNode? node) => node is JsonValue v && v.TryGetValue(out bool b) && !b;

    public static bool IsString(JsonNode? node, params string[] values) =>
        node is JsonValue v && v.TryGetValue(out string? s) && values.Contains(s);

    public static bool IsNumber(JsonNode? node, double value) =>
        node is JsonValue v && v.TryGetValue(out double d) && d == value;

    public static string Show(JsonNode? node) => node is null ? "null" : node.ToJsonString();
}
