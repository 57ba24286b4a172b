namespace GpuNet.Config;

/// <summary>
/// The config's <c>lecture: {accuracy: 0.966, epochs: 30, source: "…"}</c>: what the lecture notes
/// report for this experiment, printed beside ours by gpunet reproduce.
/// </summary>
public sealed record LectureReference(float Accuracy, int? Epochs, string? Source)
{
    public static LectureReference Read(ConfigNode node)
    {
        var args = new ConfigArguments(node, node);
        ConfigNode accuracyNode = args.Required("accuracy");
        float accuracy = accuracyNode.AsFloat();
        if (accuracy is < 0 or > 1)
            throw accuracyNode.Error($"expected the test accuracy as a fraction between 0 and 1, like 0.966, got " +
                $"{accuracy}");
        int? epochs = args.Get("epochs")?.AsPositiveInt();
        string? source = args.String("source");
        args.RejectUnknown("lecture");
        return new LectureReference(accuracy, epochs, source);
    }
}
