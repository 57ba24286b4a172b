using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Data.Augmentation;
using GpuNet.Ensembles;
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

    /// <summary>The model's outputs on the test set, [samples, classes].</summary>
    public required float[] TestOutputs { get; init; }

    /// <summary>The test set rotated by each of the config's rotated_test angles, evaluated.</summary>
    public IReadOnlyList<(double Degrees, EvaluationResult Result)> RotatedTests { get; init; } = [];

    /// <summary>Test-time augmentation: the rotations averaged over, the averaged outputs and their accuracy; null when
    /// not configured.</summary>
    public (IReadOnlyList<double> Rotations, float[] Outputs, float Accuracy)? TestTimeAugmentation { get; init; }

    /// <summary>Evaluates <paramref name="trainer"/>'s model on both sets and predicts the test set (inference mode),
    /// with the config's transformed test sets.</summary>
    public static RunReport Collect(Trainer trainer, RunConfig config, IReadOnlyList<EpochLogs> epochs, Dataset train,
        Dataset test)
    {
        EvaluationResult training = trainer.Evaluate(train), testing = trainer.Evaluate(test);
        float[] outputs = trainer.Predict(test);
        int classes = test.ClassCount;
        var wrong = Misclassification.FirstOf(outputs, test.Labels, classes, MisclassifiedShown);
        var rotated = config.TestEvaluation.RotatedTestAngles.Select(a => (a,
            trainer.Evaluate(FixedTransforms.Rotated(test, a)))).ToList();
        (IReadOnlyList<double>, float[], float)? testTime = null;
        if (config.TestEvaluation.TestTimeRotations is { Count: > 0 } views)
        {
            float[] mean = EnsembleDecision.MeanOutputs(views.Select(a => a == 0 ? outputs
                : trainer.Predict(FixedTransforms.Rotated(test, a))).ToList());
            testTime = (views, mean,
                EnsembleDecision.Accuracy(EnsembleDecision.ArgMaxRows(mean, classes), test.Labels));
        }
        return new RunReport
        {
            TestOutputs = outputs,
            RotatedTests = rotated,
            TestTimeAugmentation = testTime,
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
            MisclassifiedImages = wrong.Select(m =>
                RasterImage.FromUnitValues(test.GetImage(m.Index), test.Width, test.Height)).ToList(),
            OutputsAreProbabilities = trainer.Model.Output.Producer?.Op is SoftmaxOp,
            FirstLayer = FirstLayerWeights.Of(trainer.Model, trainer.GetWeights(), test.Height, test.Width),
        };
    }
}
