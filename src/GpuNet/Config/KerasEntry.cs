namespace GpuNet.Config;

/// <summary>
/// One named entry of a config — a layer, an optimizer, a callback — with its arguments by their
/// Keras names, however the file wrote them: <c>Flatten</c> (none), <c>Dense: {units: 512}</c>
/// (by name), <c>Dense: 512</c> (Keras's first positional argument) or
/// <c>Conv2D: [32, [3, 3], {activation: relu}]</c> (positional in Keras's order, then by name).
/// Each value keeps its place in the file and answers to the Keras name of its argument, so an
/// error about a value given by position still names the line and the argument.
/// </summary>
public sealed class KerasEntry
{
    private KerasEntry(string name, ConfigNode node, IReadOnlyList<(string Key, ConfigNode Value)> arguments)
    {
        Name = name;
        Node = node;
        Arguments = arguments;
    }

    public string Name { get; }

    /// <summary>The entry itself; errors that concern no single argument point here.</summary>
    public ConfigNode Node { get; }

    public IReadOnlyList<(string Key, ConfigNode Value)> Arguments { get; }

    /// <param name="entry">The whole entry, e.g. the list item <c>- Dense: 512</c>.</param>
    /// <param name="name">The entry's name, e.g. Dense.</param>
    /// <param name="arguments">What follows the name, or null for a bare name.</param>
    /// <param name="signature">
    /// Keras's order of the arguments that may be given by position; null when only names are taken.
    /// </param>
    public static KerasEntry Of(ConfigNode entry, string name, ConfigNode? arguments, IReadOnlyList<string>? signature)
    {
        if (arguments is null || arguments.IsNull) return new KerasEntry(name, entry, []);
        if (arguments.IsMapping || signature is null) return new KerasEntry(name, entry, arguments.Entries().ToList());

        IReadOnlyList<ConfigNode> values = arguments.IsSequence ? arguments.Items() : [arguments];
        ConfigNode? keywords = values.Count > 0 && values[^1].IsMapping ? values[^1] : null;
        int positional = keywords is null ? values.Count : values.Count - 1;
        if (positional > signature.Count)
        {
            throw values[signature.Count].Error(
                $"{name} takes at most {signature.Count} arguments by position ({string.Join(", ", signature)}), " +
                $"got {positional}; " +
                $"give the others by name, like [{signature[0]}, {{key: value}}]");
        }
        var result = new List<(string, ConfigNode)>();
        for (int i = 0; i < positional; i++) result.Add((signature[i], At(entry, signature[i], values[i])));
        if (keywords is not null)
        {
            foreach (var (key, value) in new ConfigNode(entry.File, entry.Path, keywords.Yaml).Entries())
            {
                int position = IndexOf(signature, key, positional);
                if (position >= 0)
                {
                    throw value.Error(
                        $"argument '{key}' is given twice: by position (value {position + 1} of {name}) and by name");
                }
                result.Add((key, value));
            }
        }
        return new KerasEntry(name, entry, result);
    }

    /// <summary>The value given for <paramref name="key"/>, or null.</summary>
    public ConfigNode? Get(string key) => Arguments.FirstOrDefault(a => a.Key == key).Value;

    /// <summary>
    /// This entry less the arguments named <paramref name="keys"/> (read elsewhere, like a first layer's input_shape).
    /// </summary>
    public KerasEntry Without(IReadOnlyCollection<string> keys) =>
        new(Name, Node, Arguments.Where(a => !keys.Contains(a.Key)).ToList());

    // A value given by position answers to its Keras name: "model.layers[0].units".
    private static ConfigNode At(ConfigNode entry, string key, ConfigNode value) =>
        new(entry.File, entry.Path.Length == 0 ? key : $"{entry.Path}.{key}", value.Yaml);

    private static int IndexOf(IReadOnlyList<string> signature, string key, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (signature[i] == key) return i;
        }
        return -1;
    }
}
