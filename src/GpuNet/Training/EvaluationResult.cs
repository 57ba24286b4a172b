namespace GpuNet.Training;

/// <summary>Mean loss and accuracy of a model over a dataset.</summary>
public sealed record EvaluationResult(float Loss, float Accuracy, int SampleCount);
