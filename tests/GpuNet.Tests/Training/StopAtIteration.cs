using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>Requests a stop, as a signal would, during the step that makes the iteration count <paramref
/// name="iteration"/>.</summary>
public sealed class StopAtIteration(Trainer trainer, long iteration) : TrainingCallback
{
    public override void OnBatchBegin(int epoch, int step, long iterationsDone)
    {
        if (iterationsDone + 1 == iteration) trainer.RequestStop();
    }
}
