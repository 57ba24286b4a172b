namespace GpuNet.Config;

/// <summary>
/// The things a config names as <c>Name</c> or <c>Name: {arguments}</c> — layers, initializers,
/// optimizers, callbacks — with how each reads its Keras arguments. An unknown name lists the valid
/// ones; an argument nobody reads is named with the valid ones; a value a constructor refuses is
/// reported at the entry's place in the file. Where Keras's order of arguments is given
/// (<paramref name="signatures"/>), they may also come by position, as in <c>Dense: 512</c>.
/// </summary>
public sealed class NamedEntryCatalog<T>(string kind, IReadOnlyDictionary<string, Func<ConfigArguments, T>> factories,
    IReadOnlyDictionary<string, string[]>? signatures = null)
{
    public IReadOnlyCollection<string> Names => factories.Keys.ToList();

    public T Read(ConfigNode entry) => Read(Parse(entry));

    /// <summary>The entry's name, checked, with its arguments by Keras name, positional ones included.</summary>
    public KerasEntry Parse(ConfigNode entry)
    {
        (string name, ConfigNode? arguments) = Split(entry);
        if (!factories.ContainsKey(name))
            throw entry.Error($"unknown {kind} '{name}'; valid {kind}s are {string.Join(", ", Names)}");
        return KerasEntry.Of(entry, name, arguments, signatures?.GetValueOrDefault(name));
    }

    public T Read(KerasEntry entry)
    {
        var (name, factory) = (entry.Name, factories[entry.Name]);
        var args = new ConfigArguments(entry.Node, entry.Arguments);
        T value;
        try
        {
            value = factory(args);
        }
        catch (GpuNetException e) when (e is not ConfigException)
        {
            throw entry.Node.Error(e.Message);
        }
        args.RejectUnknown(name);
        return value;
    }

    /// <summary>An entry is either a bare name or a one-key mapping from the name to its arguments.</summary>
    public static (string Name, ConfigNode? Arguments) Split(ConfigNode entry)
    {
        if (entry.IsScalar) return (entry.Scalar, null);
        var entries = entry.Entries().ToList();
        if (entries.Count != 1)
            throw entry.Error($"expected one name with its arguments, like 'Dense: {{units: 10}}', got " +
                $"{entries.Count} keys ({string.Join(", ", entries.Select(e => e.Key))})");
        // The arguments answer to the entry's own path: "model.layers[1].units", not "…[1].Dense.units".
        var (name, arguments) = entries[0];
        return (name, new ConfigNode(entry.File, entry.Path, arguments.Yaml));
    }
}
