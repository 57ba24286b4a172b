using System.Text.Json;
using System.Text.RegularExpressions;

namespace GpuNet.Config.Import;

/// <summary>
/// Values written in YAML's flow style, the way GpuNet's configs read: relu, [3, 3],
/// {units: 30, activation: relu}.
/// </summary>
internal static partial class FlowYaml
{
    private static readonly string[] Reserved =
        ["true", "false", "yes", "no", "on", "off", "null", "none", "y", "n", "~"];

    /// <summary>A plain word where YAML reads it back as the same string, else a double-quoted one.</summary>
    public static string String(string text) =>
        PlainWord().IsMatch(text) && !Reserved.Contains(text.ToLowerInvariant())
            ? text
            : JsonSerializer.Serialize(text);

    public static string List(IEnumerable<int> values) => "[" + string.Join(", ", values) + "]";

    public static string Mapping(IEnumerable<(string Key, string Value)> entries) =>
        "{" + string.Join(", ", entries.Select(e => $"{e.Key}: {e.Value}")) + "}";

    /// <summary>A named entry: "Flatten" alone, or "Dense: {units: 30}".</summary>
    public static string Entry(string name, IReadOnlyCollection<(string Key, string Value)> arguments) =>
        arguments.Count == 0 ? name : $"{name}: {Mapping(arguments)}";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainWord();
}
