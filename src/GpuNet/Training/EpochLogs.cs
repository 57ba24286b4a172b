namespace GpuNet.Training;

/// <summary>One epoch's figures, as Keras logs them. Epochs count from 1.</summary>
public sealed record EpochLogs(int Epoch, float Loss, float Accuracy, float? ValidationLoss, float? ValidationAccuracy, double Seconds);
