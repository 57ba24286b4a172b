namespace GpuNet.Config;

/// <summary>
/// What the test set is evaluated on besides itself: <c>test_time_augmentation: {rotations: [-15, 0, 15]}</c>
/// averages the predictions over fixed rotations; <c>rotated_test: [15, 30]</c> reports the accuracy on
/// the test set rotated by each angle (the lecture's exercise), beside the plain test accuracy.
/// </summary>
public sealed record TestEvaluationSettings(IReadOnlyList<double> TestTimeRotations,
    IReadOnlyList<double> RotatedTestAngles)
{
    public static TestEvaluationSettings None { get; } = new([], []);

    public static TestEvaluationSettings Read(ConfigNode? testTimeAugmentation, ConfigNode? rotatedTest)
    {
        IReadOnlyList<double> views = [];
        if (testTimeAugmentation is not null)
        {
            var args = new ConfigArguments(testTimeAugmentation, testTimeAugmentation);
            ConfigNode rotations = args.Required("rotations");
            views = Angles(rotations);
            if (views.Count < 2)
                throw rotations.Error("expected at least two rotations to average over, like [-15, 0, 15]");
            args.RejectUnknown("test_time_augmentation");
        }
        return new TestEvaluationSettings(views, rotatedTest is null ? [] : Angles(rotatedTest));
    }

    private static List<double> Angles(ConfigNode list)
    {
        var angles = list.Items().Select(item => (double)item.AsFloat()).ToList();
        if (angles.Count == 0) throw list.Error("expected a list of angles in degrees, like [-15, 0, 15]");
        return angles;
    }
}
