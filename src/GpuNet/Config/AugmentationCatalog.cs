using GpuNet.Data.Augmentation;

namespace GpuNet.Config;

/// <summary>
/// The config's <c>augmentation:</c> mapping — mode (on_the_fly | expand), copies, and the list
/// of transforms by name with their arguments.
/// </summary>
public static class AugmentationCatalog
{
    private static readonly NamedEntryCatalog<ImageTransform> Transforms = new("transform",
        new Dictionary<string, Func<ConfigArguments, ImageTransform>>(StringComparer.Ordinal)
    {
        ["RandomRotation"] = a => new RandomRotation(ReadRanges(a.Required("ranges"))),
        ["RandomShift"] = a => new RandomShift(a.Int("pixels", 1), ReadDirections(a.Get("directions"))),
        ["ElasticDistortion"] = a => new ElasticDistortion(a.Float("alpha", 34f), a.Float("sigma", 4f)),
        ["RandomCrop"] = a => new RandomCrop(a.PositiveInt("padding")),
    });

    public static IReadOnlyCollection<string> Names => Transforms.Names;

    public static Augmentation Read(ConfigNode node)
    {
        var args = new ConfigArguments(node, node);
        AugmentationMode mode = args.Get("mode") is { } modeNode
            ? modeNode.AsString() switch
            {
                "on_the_fly" => AugmentationMode.OnTheFly,
                "expand" => AugmentationMode.Expand,
                string other => throw modeNode.Error($"expected on_the_fly or expand, got '{other}'"),
            }
            : AugmentationMode.OnTheFly;
        ConfigNode? copiesNode = args.Get("copies");
        if (copiesNode is not null && mode != AugmentationMode.Expand)
            throw copiesNode.Error("'copies' is for mode: expand; on the fly, every epoch makes new images");
        int copies = copiesNode?.AsPositiveInt() ?? 1;
        ConfigNode list = args.Required("transforms");
        var transforms = list.Items().Select(Transforms.Read).ToList();
        if (transforms.Count == 0)
            throw list.Error("'transforms' is empty; name at least one of " + string.Join(", ", Names));
        args.RejectUnknown("augmentation");
        return new Augmentation(transforms, mode, copies);
    }

    /// <summary>Degrees as [low, high] or a list of such ranges: [5, 25] or [[5, 25], [-25, -5]].</summary>
    private static List<(double, double)> ReadRanges(ConfigNode node)
    {
        IReadOnlyList<ConfigNode> items = node.Items();
        var ranges = items.Count > 0 && items[0].IsSequence ? items : [node];
        return ranges.Select(r =>
        {
            IReadOnlyList<ConfigNode> bounds = r.Items();
            if (bounds.Count != 2) throw r.Error("expected a range of degrees [low, high], like [5, 25]");
            float low = bounds[0].AsFloat(), high = bounds[1].AsFloat();
            return low <= high ? ((double)low, (double)high)
                : throw r.Error($"expected low ≤ high, got [{low}, {high}]");
        }).ToList();
    }

    private static bool ReadDirections(ConfigNode? node) => node?.AsString() switch
    {
        null or "all" => false,
        "four" => true,
        string other =>
            throw node.Error($"expected four (up, down, left or right) or all (any move up to 'pixels' each way), got "
                +
                $"'{other}'"),
    };
}
