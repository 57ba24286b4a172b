using System.Globalization;
using System.Text.RegularExpressions;
using GpuNet.Parameters;

namespace GpuNet.Config;

/// <summary>
/// Weight penalties in a config: <c>{l2: 0.01}</c>, <c>{l1: 0.01}</c>, <c>{l1_l2: {l1: 0.01, l2: 0.01}}</c>,
/// or Keras's own spelling as a string, <c>l2(0.01)</c>.
/// </summary>
public static partial class RegularizerCatalog
{
    private static readonly string[] Names = ["l1", "l2", "l1_l2"];

    public static Regularizer? Read(ConfigArguments owner, string key)
    {
        ConfigNode? node = owner.Get(key);
        if (node is null) return null;
        try
        {
            if (node.IsScalar) return FromKerasCall(node);
            (string name, ConfigNode? arguments) = NamedEntryCatalog<Regularizer>.Split(node);
            if (arguments is null) throw node.Error($"expected a factor, like {{{name}: 0.01}}");
            return name switch
            {
                "l1" => Regularizer.OfL1(arguments.AsFloat()),
                "l2" => Regularizer.OfL2(arguments.AsFloat()),
                "l1_l2" => ReadBoth(node, arguments),
                _ => throw node.Error($"unknown regularizer '{name}'; valid regularizers are {string.Join(", ",
                    Names)}"),
            };
        }
        catch (GpuNetException e) when (e is not ConfigException)
        {
            throw node.Error(e.Message);
        }
    }

    private static Regularizer ReadBoth(ConfigNode node, ConfigNode arguments)
    {
        var args = new ConfigArguments(node, arguments);
        var regularizer = new Regularizer(args.Float("l1", 0.01f), args.Float("l2", 0.01f));
        args.RejectUnknown("l1_l2");
        return regularizer;
    }

    private static Regularizer FromKerasCall(ConfigNode node)
    {
        Match match = KerasCall().Match(node.Scalar);
        if (!match.Success)
            throw node.Error($"expected a regularizer like l2(0.01), l1(0.01) or l1_l2(0.01, 0.01), got " +
                $"'{node.Scalar}'");
        float First() => float.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        float Second() => match.Groups[3].Success ? float.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)
            : First();
        return match.Groups[1].Value switch
        {
            "l1" => Regularizer.OfL1(First()),
            "l2" => Regularizer.OfL2(First()),
            _ => new Regularizer(First(), Second()),
        };
    }

    [GeneratedRegex(@"^\s*(l1_l2|l1|l2)\(\s*([0-9.eE+-]+)\s*(?:,\s*([0-9.eE+-]+)\s*)?\)\s*$")]
    private static partial Regex KerasCall();
}
