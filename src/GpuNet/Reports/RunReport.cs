using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Ops;
using GpuNet.Training;

namespace GpuNet.Reports;

/// <summary>
/// Everything a run's report shows, gathered from a trained model: the history, the final
/// figures, the test set's confusion matrix and first mistakes, and the first layer's weights.
/// </summary>
public sealed class RunReport
{
    /// <summary>The lectures show the first 100 wrongly tagged test digits.</summary>
    public const int MisclassifiedShown = 100;

    public required string Name { get; init; }

    public required string Dataset { get; init; }

    public required string ConfigText { get; init; }

    public required string Accelerator { get; init; }

    public required IReadOnlyList<(string Name, string OutputShape, long Parameters)> Layers { get; init; }

    public required long TrainableParameters { get; init; }

    public required long NonTrainableParameters { get; init; }

    public required IReadOnlyList<EpochLogs> Epochs { get; init; }

    public required EvaluationResult Training { get; init; }

    public required EvaluationResult Testing { get; init; }

    public required ConfusionMatrix Confusion { get; init; }

    public required IReadOnlyList<Misclassification> Misclassified { get; init; }

    /// <summary>The misclassified samples' images, in the same order.</summary>
    public required IReadOnlyList<RasterImage> MisclassifiedImages { get; init; }

    /// <summary>True when the model ends in a softmax, so its outputs are probabilities.</summary>
    public required bool OutputsAreProbabilities { get; init; }

    public FirstLayerWeights? FirstLayer { get; init; }

    /// <summary>Evaluates <paramref name="trainer"/>'s model on both sets and predicts the test set (inference mode).</summary>
    public static RunReport Collect(Trainer trainer, RunConfig config, IReadOnlyList<EpochLogs> epochs, Dataset train, Dataset test)
    {
        EvaluationResult training = trainer.Evaluate(train), testing = trainer.Evaluate(test);
        float[] outputs = trainer.Predict(test);
        int classes = test.ClassCount;
        var wrong = Misclassification.FirstOf(outputs, test.Labels, classes, MisclassifiedShown);
        return new RunReport
        {
            Name = config.Name,
            Dataset = config.Dataset,
            ConfigText = config.SourceText,
            Accelerator = trainer.Accelerator.Name,
            Layers = trainer.Model.SummaryRows(),
            TrainableParameters = trainer.Model.TrainableParameterCount,
            NonTrainableParameters = trainer.Model.NonTrainableParameterCount,
            Epochs = epochs,
            Training = training,
            Testing = testing,
            Confusion = ConfusionMatrix.FromOutputs(outputs, test.Labels, classes),
            Misclassified = wrong,
            MisclassifiedImages = wrong.Select(m => RasterImage.FromUnitValues(test.GetImage(m.Index), test.Width, test.Height)).ToList(),
            OutputsAreProbabilities = trainer.Model.Output.Producer?.Op is SoftmaxOp,
            FirstLayer = FirstLayerWeights.Of(trainer.Model, trainer.GetWeights(), test.Height, test.Width),
        };
    }
}
