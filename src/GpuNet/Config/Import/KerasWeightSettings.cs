using System.Globalization;
using System.Text.Json.Nodes;
using static GpuNet.Config.Import.KerasConfigReader;

namespace GpuNet.Config.Import;

/// <summary>
/// Keras's serialized initializers and regularizers — {"class_name": "GlorotUniform", "config":
/// {"seed": null}} in Keras 2, the same with "module" and "registered_name" in Keras 3 — as
/// GpuNet's config spells them: glorot_uniform, {random_normal: {mean: 0.0, stddev: 0.05}}, {l2: 0.01}.
/// </summary>
internal static class KerasWeightSettings
{
    private static readonly Dictionary<string, string> Named = new(StringComparer.Ordinal)
    {
        ["GlorotUniform"] = "glorot_uniform",
        ["GlorotNormal"] = "glorot_normal",
        ["HeUniform"] = "he_uniform",
        ["HeNormal"] = "he_normal",
        ["Zeros"] = "zeros",
        ["Ones"] = "ones",
    };

    /// <summary>The initializer under <paramref name="key"/> in GpuNet's spelling, or null when Keras gives none.</summary>
    public static string? Initializer(KerasConfigReader owner, string key)
    {
        JsonNode? node = owner[key];
        if (node is null) return null;
        if (node is JsonValue value && value.TryGetValue(out string? name) && InitializerCatalog.Names.Contains(name)) return name;
        var (className, c) = Serialized(owner, key, node);
        // Weights are not imported, so a seed for drawing them changes nothing.
        c.Ignore("seed");
        string result = className switch
        {
            _ when Named.TryGetValue(className, out string? simple) => simple,
            "Constant" => $"{{constant: {{value: {c.Number("value") ?? "0"}}}}}",
            "RandomNormal" => $"{{random_normal: {{mean: {c.Number("mean") ?? "0.0"}, stddev: {c.Number("stddev") ?? "0.05"}}}}}",
            "RandomUniform" => $"{{random_uniform: {{minval: {c.Number("minval") ?? "-0.05"}, maxval: {c.Number("maxval") ?? "0.05"}}}}}",
            "VarianceScaling" => VarianceScaling(c),
            _ => throw owner.Error(key, $"is {className}; GpuNet's initializers are GlorotUniform, GlorotNormal, HeUniform, HeNormal, " +
                                        "Zeros, Ones, Constant, RandomNormal, RandomUniform and the VarianceScaling forms of the first four"),
        };
        c.RejectUnread();
        return result;
    }

    /// <summary>The regularizer under <paramref name="key"/> as {l2: 0.01}, {l1: …} or {l1_l2: {l1: …, l2: …}}, or null for none.</summary>
    public static string? Regularizer(KerasConfigReader owner, string key)
    {
        JsonNode? node = owner[key];
        if (node is null) return null;
        var (className, c) = Serialized(owner, key, node);
        string result = className switch
        {
            "L1" => $"{{l1: {c.Number("l1") ?? "0.01"}}}",
            "L2" => $"{{l2: {c.Number("l2") ?? "0.01"}}}",
            "L1L2" => BothPenalties(c),
            _ => throw owner.Error(key, $"is {className}; GpuNet's regularizers are L1, L2 and L1L2"),
        };
        c.RejectUnread();
        return result;
    }

    /// <summary>The class name and a reader of the config of a serialized Keras object; a custom one is refused.</summary>
    public static (string ClassName, KerasConfigReader Config) Serialized(KerasConfigReader owner, string key, JsonNode node)
    {
        if (node is not JsonObject serialized || serialized["class_name"] is not JsonValue nameValue || !nameValue.TryGetValue(out string? className))
            throw owner.Error(key, $"is {Show(node)}; expected a Keras object {{\"class_name\": …, \"config\": {{…}}}}");
        if (serialized["registered_name"] is JsonValue registered && registered.TryGetValue(out string? registeredName) && registeredName != className)
            throw owner.Error(key, $"is the custom object '{registeredName}'; GpuNet imports Keras's built-in ones");
        return (className, new KerasConfigReader($"{owner.Where}: '{key}' ({className})", serialized["config"] as JsonObject ?? []));
    }

    // Keras 2.2 wrote glorot_uniform and he_normal as their VarianceScaling forms.
    private static string VarianceScaling(KerasConfigReader c)
    {
        double scale = c.Double("scale") ?? 1.0;
        string mode = c["mode"] is null ? "fan_in" : c.String("mode");
        string distribution = c["distribution"] is null ? "truncated_normal" : c.String("distribution");
        bool uniform = distribution == "uniform", normal = distribution is "normal" or "truncated_normal";
        return (scale, mode) switch
        {
            (1.0, "fan_avg") when uniform => "glorot_uniform",
            (1.0, "fan_avg") when normal => "glorot_normal",
            (2.0, "fan_in") when uniform => "he_uniform",
            (2.0, "fan_in") when normal => "he_normal",
            _ => throw c.Error($"scale {scale.ToString(CultureInfo.InvariantCulture)}, mode {mode}, distribution {distribution} is none of " +
                               "glorot_uniform, glorot_normal, he_uniform, he_normal, the variance scalings GpuNet has"),
        };
    }

    private static string BothPenalties(KerasConfigReader c)
    {
        string l1 = c.Number("l1") ?? "0.0", l2 = c.Number("l2") ?? "0.0";
        if (double.Parse(l1, CultureInfo.InvariantCulture) == 0) return $"{{l2: {l2}}}";
        if (double.Parse(l2, CultureInfo.InvariantCulture) == 0) return $"{{l1: {l1}}}";
        return $"{{l1_l2: {{l1: {l1}, l2: {l2}}}}}";
    }
}
