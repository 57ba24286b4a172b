using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GpuNet.Config;

/// <summary>
/// A node of a config document that remembers its file, line and path, so every error can say
/// where it is and what was expected there.
/// </summary>
public sealed class ConfigNode(string file, string path, YamlNode node)
{
    public string File { get; } = file;

    /// <summary>The node's place in the document, e.g. "model.layers[2]".</summary>
    public string Path { get; } = path;

    public YamlNode Yaml { get; } = node;

    public bool IsMapping => Yaml is YamlMappingNode;

    public bool IsSequence => Yaml is YamlSequenceNode;

    public bool IsScalar => Yaml is YamlScalarNode;

    /// <summary>A plain null — empty, ~, null or Python's None — as opposed to a quoted string.</summary>
    public bool IsNull =>
        Yaml is YamlScalarNode { Style: not (ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted) } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL" or "None";

    public ConfigException Error(string reason) =>
        new(File, (int)Yaml.Start.Line, (int)Yaml.Start.Column, Path, reason);

    public string Scalar => Yaml is YamlScalarNode { Value: { } v } ? v
        : throw Error($"expected a single value, got {Describe()}");

    /// <summary>The entries of a mapping, in document order.</summary>
    public IEnumerable<(string Key, ConfigNode Value)> Entries()
    {
        if (Yaml is not YamlMappingNode map) throw Error($"expected a mapping of keys to values, got {Describe()}");
        foreach (var (key, value) in map.Children)
        {
            string name = key is YamlScalarNode { Value: { } k } ? k
                : throw new ConfigNode(File, Path, key).Error("expected a plain key");
            yield return (name, new ConfigNode(File, Join(name), value));
        }
    }

    public IReadOnlyList<ConfigNode> Items()
    {
        if (Yaml is not YamlSequenceNode list) throw Error($"expected a list, got {Describe()}");
        return list.Children.Select((item, i) => new ConfigNode(File, $"{Path}[{i}]", item)).ToList();
    }

    public int AsInt()
    {
        if (int.TryParse(Scalar, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)) return value;
        throw Error($"expected an integer, got '{Scalar}'");
    }

    public int AsPositiveInt()
    {
        int value = AsInt();
        return value > 0 ? value : throw Error($"expected a positive integer, got {value}");
    }

    public ulong AsUnsignedLong()
    {
        if (ulong.TryParse(Scalar, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong value)) return value;
        throw Error($"expected a non-negative integer, got '{Scalar}'");
    }

    public float AsFloat()
    {
        if (float.TryParse(Scalar, NumberStyles.Float, CultureInfo.InvariantCulture, out float value)
            && float.IsFinite(value)) return value;
        throw Error($"expected a number, got '{Scalar}'");
    }

    public bool AsBool() => Scalar.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => throw Error($"expected true or false, got '{Scalar}'"),
    };

    public string AsString() => Scalar;

    /// <summary>A list of integers such as [28, 28, 1].</summary>
    public int[] AsIntList() => Items().Select(item => item.AsInt()).ToArray();

    private string Join(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private string Describe() => Yaml switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => Yaml.NodeType.ToString(),
    };
}
