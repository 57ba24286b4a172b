using GpuNet.Config;
using GpuNet.Ensembles;

namespace GpuNet.Tests.Ensembles;

public sealed class EnsembleDecisionTests
{
    // Three members, two samples of three classes.
    private static readonly float[][] Members =
    [
        [0.6f, 0.3f, 0.1f, 0.2f, 0.5f, 0.3f],
        [0.4f, 0.5f, 0.1f, 0.1f, 0.2f, 0.7f],
        [0.45f, 0.55f, 0.0f, 0.3f, 0.4f, 0.3f],
    ];

    [Fact]
    public void Majority_counts_each_members_choice()
    {
        // Sample 0: votes 0, 1, 1 → 1 although the mean favours 0 (0.483 against 0.45).
        // Sample 1: votes 1, 2, 1 → 1.
        Assert.Equal([1, 1], EnsembleDecision.Predict(Members, 3, EnsembleVote.Majority));
    }

    [Fact]
    public void Mean_takes_the_largest_average_output()
    {
        // Sample 0: means 0.483, 0.45, 0.067 → 0; sample 1: 0.2, 0.367, 0.433 → 2.
        Assert.Equal([0, 2], EnsembleDecision.Predict(Members, 3, EnsembleVote.Mean));
    }

    [Fact]
    public void A_tied_vote_goes_to_the_larger_mean()
    {
        float[][] two = [[0.9f, 0.1f], [0.45f, 0.55f]];
        Assert.Equal([0], EnsembleDecision.Predict(two, 2, EnsembleVote.Majority));
    }

    [Fact]
    public void One_member_is_that_member()
    {
        Assert.Equal(EnsembleDecision.ArgMaxRows(Members[1], 3),
            EnsembleDecision.Predict([Members[1]], 3, EnsembleVote.Majority));
        Assert.Equal(0.5f, EnsembleDecision.Accuracy([1, 2], [1, 1]));
    }

    [Fact]
    public void Members_of_different_shapes_are_refused() =>
        Assert.Throws<ArgumentException>(() =>
            EnsembleDecision.Predict([Members[0], Members[1][..3]], 3, EnsembleVote.Mean));

    [Fact]
    public void Config_reads_ensembles_test_time_views_and_the_lecture_figure()
    {
        RunConfig config = RunConfigReader.Read("e.yaml", """
            model: {layers: [Flatten, Dense: {units: 10, activation: softmax}]}
            loss: categorical_crossentropy
            optimizer: SGD
            ensemble: {members: 5, vote: mean}
            test_time_augmentation: {rotations: [-15, 0, 15]}
            rotated_test: [30]
            lecture: {accuracy: 0.9967, epochs: 40, source: "Nielsen, chapter 6"}
            """);
        Assert.Equal(new EnsembleSettings(5, EnsembleVote.Mean), config.Ensemble);
        Assert.Equal([-15.0, 0, 15], config.TestEvaluation.TestTimeRotations);
        Assert.Equal([30.0], config.TestEvaluation.RotatedTestAngles);
        Assert.Equal(new LectureReference(0.9967f, 40, "Nielsen, chapter 6"), config.Lecture);

        string Error(string extra) => Assert.Throws<ConfigException>(() => RunConfigReader.Read("e.yaml",
            "model: {layers: [Flatten, Dense: {units: 10}]}\nloss: mean_squared_error\noptimizer: SGD\n"
                + extra)).Message;
        Assert.Contains("e.yaml:4:", Error("ensemble: {members: 0}"));
        Assert.Contains("expected majority or mean, got 'plurality'", Error("ensemble: {members: 3, vote: plurality}"));
        Assert.Contains("at least two rotations", Error("test_time_augmentation: {rotations: [0]}"));
        Assert.Contains("as a fraction between 0 and 1", Error("lecture: {accuracy: 99.6}"));
    }
}
