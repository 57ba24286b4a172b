using GpuNet.Numerics;
using GpuNet.Reports;

namespace GpuNet.Tests.Reports;

public sealed class ClassificationSummaryTests
{
    // Four samples of three classes: right, wrong (0 taken for 2), right, wrong (2 taken for 1).
    private static readonly float[] Outputs = [0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f, 0.2f, 0.5f, 0.3f, 0.05f, 0.55f,
        0.4f];
    private static readonly byte[] Labels = [0, 0, 1, 2];

    [Fact]
    public void Confusion_matrix_counts_truth_by_row_and_prediction_by_column()
    {
        var matrix = ConfusionMatrix.FromOutputs(Outputs, Labels, 3);
        Assert.Equal(1, matrix[0, 0]);
        Assert.Equal(1, matrix[0, 2]);
        Assert.Equal(1, matrix[1, 1]);
        Assert.Equal(1, matrix[2, 1]);
        Assert.Equal(0, matrix[2, 2]);
        Assert.Equal((2, 4, 2), (matrix.RowTotal(0), matrix.Total, matrix.Correct));
    }

    [Fact]
    public void Misclassified_samples_come_in_order_with_their_two_most_likely_classes()
    {
        var wrong = Misclassification.FirstOf(Outputs, Labels, 3, limit: 100);
        Assert.Equal([new Misclassification(1, 0, 2, 0.6f, 1, 0.3f), new Misclassification(3, 2, 1, 0.55f, 2, 0.4f)],
            wrong);
        Assert.Single(Misclassification.FirstOf(Outputs, Labels, 3, limit: 1));
    }

    [Fact]
    public void Ties_go_to_the_first_class_as_the_accuracy_metric_counts_them()
    {
        Assert.Equal(1, Rows.ArgMax([0.1f, 0.45f, 0.45f]));
        var (first, second) = RankedClasses.TopTwo([0.45f, 0.1f, 0.45f]);
        Assert.Equal((0, 2), (first.Class, second.Class));
    }

    [Fact]
    public void Outputs_that_do_not_match_the_labels_are_refused() =>
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromOutputs(Outputs.AsSpan(1), Labels, 3));
}
