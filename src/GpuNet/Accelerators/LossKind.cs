namespace GpuNet.Accelerators;

/// <summary>The losses that every accelerator implements, each with a per-sample forward and a gradient
/// kernel.</summary>
public enum LossKind
{
    /// <summary>mean over classes of (p − t)², as Keras's mean_squared_error.</summary>
    MeanSquaredError,
    /// <summary>mean over classes of −(t·log p + (1−t)·log(1−p)), p clipped to [ε, 1−ε].</summary>
    BinaryCrossEntropy,
    /// <summary>−Σ t·log p on probabilities, p clipped to [ε, 1−ε].</summary>
    CategoricalCrossEntropy,
    /// <summary>Softmax and categorical cross-entropy fused, computed from the logits for stability.</summary>
    SoftmaxCrossEntropy,
}
