namespace GpuNet.Training;

/// <summary>The loss became NaN or infinite: training stops rather than carrying on with garbage.</summary>
public sealed class TrainingDivergedException(int epoch, int batch, float loss)
    : GpuNetException($"training diverged: the loss became {loss} in epoch {epoch}, batch {batch}. " +
        "Lower the learning rate, or check the data and the loss for this output activation.")
{
    public int Epoch { get; } = epoch;

    public int Batch { get; } = batch;
}
