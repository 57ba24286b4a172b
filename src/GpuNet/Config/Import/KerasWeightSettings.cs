using GpuNet.Parameters;
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

    /// <summary>The initializer under <paramref name="key"/> as GpuNet spells it, or null for none.</summary>
    public static string? Initializer(KerasConfigReader owner, string key)
    {
        JsonNode? node = owner[key];
        if (node is null) return null;
        if (Text(node) is { } name && InitializerCatalog.Names.Contains(name)) return name;
        var (className, c) = Serialized(owner, key, node);
        // Weights are not imported, so a seed for drawing them changes nothing.
        c.Ignore("seed");
        string result = className switch
        {
            _ when Named.TryGetValue(className, out string? simple) => simple,
            "Constant" => $"{{constant: {{value: {c.Number("value") ?? "0"}}}}}",
            "RandomNormal" => Ranged(c, "random_normal", ("mean", "0.0"), ("stddev", "0.05")),
            "RandomUniform" => Ranged(c, "random_uniform", ("minval", "-0.05"), ("maxval", "0.05")),
            "VarianceScaling" => VarianceScaling(c),
            _ => throw owner.Error(key,
                $"is {className}; GpuNet's initializers are GlorotUniform, GlorotNormal, HeUniform, HeNormal, Zeros, " +
                "Ones, Constant, RandomNormal, RandomUniform and the VarianceScaling forms of the first four"),
        };
        c.RejectUnread();
        return result;
    }

    /// <summary>The regularizer under <paramref name="key"/> as {l2: 0.01}, {l1: …} or {l1_l2: {…}}, or
    /// null.</summary>
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

    /// <summary>A serialized Keras object's class name and a reader of its config; a custom one is refused.</summary>
    public static (string ClassName, KerasConfigReader Config) Serialized(
        KerasConfigReader owner, string key, JsonNode node)
    {
        if (node is not JsonObject serialized || Text(serialized["class_name"]) is not { } className)
            throw owner.Error(key,
                $"is {Show(node)}; expected a Keras object {{\"class_name\": …, \"config\": …}}");
        if (Text(serialized["registered_name"]) is { } registered && registered != className)
            throw owner.Error(key, $"is the custom object '{registered}'; GpuNet imports Keras's built-in ones");
        JsonObject config = serialized["config"] as JsonObject ?? [];
        return (className, new KerasConfigReader($"{owner.Where}: '{key}' ({className})", config));
    }

    /// <summary>{random_normal: {mean: …, stddev: …}} and the like, with Keras's numbers or defaults.</summary>
    private static string Ranged(KerasConfigReader c, string name, params (string Key, string Default)[] numbers) =>
        $"{{{name}: {FlowYaml.Mapping(numbers.Select(n => (n.Key, c.Number(n.Key) ?? n.Default)))}}}";

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
            _ => throw c.Error(
                $"scale {scale.ToString(CultureInfo.InvariantCulture)}, mode {mode}, distribution {distribution} " +
                "is none of glorot_uniform, glorot_normal, he_uniform, he_normal, the variance scalings GpuNet has"),
        };
    }

    private static string BothPenalties(KerasConfigReader c)
    {
        string l1 = c.Number("l1") ?? "0.0", l2 = c.Number("l2") ?? "0.0";
        if (ParseNumber(l1) == 0) return $"{{l2: {l2}}}";
        if (ParseNumber(l2) == 0) return $"{{l1: {l1}}}";
        return $"{{l1_l2: {{l1: {l1}, l2: {l2}}}}}";
    }
}
