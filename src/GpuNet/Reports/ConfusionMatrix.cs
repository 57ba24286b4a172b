using GpuNet.Numerics;

namespace GpuNet.Reports;

/// <summary>How often each true class was predicted as each class: rows are the truth, columns the
/// prediction.</summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    private ConfusionMatrix(int classes) => _counts = new int[classes, classes];

    public int ClassCount => _counts.GetLength(0);

    public int this[int actual, int predicted] => _counts[actual, predicted];

    public int RowTotal(int actual) => Enumerable.Range(0, ClassCount).Sum(p => _counts[actual, p]);

    public int Total => Enumerable.Range(0, ClassCount).Sum(RowTotal);

    public int Correct => Enumerable.Range(0, ClassCount).Sum(c => _counts[c, c]);

    /// <param name="outputs">The model's outputs, [labels.Length, classes] row-major.</param>
    public static ConfusionMatrix FromOutputs(ReadOnlySpan<float> outputs, ReadOnlySpan<byte> labels, int classes)
    {
        if (outputs.Length != labels.Length * classes)
            throw new ArgumentException($"{labels.Length} samples of {classes} classes need " +
                $"{labels.Length * classes} outputs, got {outputs.Length}", nameof(outputs));
        var matrix = new ConfusionMatrix(classes);
        for (int i = 0; i < labels.Length; i++)
            matrix._counts[labels[i], Rows.ArgMax(outputs.Slice(i * classes, classes))]++;
        return matrix;
    }
}
