namespace GpuNet.Training;

/// <summary>One epoch's figures, as Keras logs them. Epochs count from 1.</summary>
public sealed record EpochLogs(int Epoch, float Loss, float Accuracy, float? ValidationLoss, float? ValidationAccuracy,
    double Seconds, float LearningRate)
{
    /// <summary>
    /// Root-mean-square over the epoch's steps of ‖∂loss/∂kernel‖₂, per layer with a kernel, in
    /// layer order: the numbers that show a deep sigmoid network's vanishing gradient.
    /// </summary>
    public IReadOnlyList<LayerGradientNorm> GradientNorms { get; init; } = [];

    /// <summary>The logged value by its Keras name (loss, accuracy, val_loss, val_accuracy; acc and val_acc too), or
    /// null if not logged.</summary>
    public float? this[string name] => name switch
    {
        "loss" => Loss,
        "accuracy" or "acc" => Accuracy,
        "val_loss" => ValidationLoss,
        "val_accuracy" or "val_acc" => ValidationAccuracy,
        _ => null,
    };

    public static IReadOnlyList<string> Names { get; } = ["loss", "accuracy", "val_loss", "val_accuracy"];
}
