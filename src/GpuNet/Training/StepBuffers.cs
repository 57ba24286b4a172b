using GpuNet.Accelerators;
using GpuNet.Graph;
using GpuNet.Models;
using GpuNet.Parameters;

namespace GpuNet.Training;

/// <summary>Everything one step needs for one batch size, allocated once and reused every step.</summary>
internal sealed class StepBuffers : IDisposable
{
    /// <param name="lossInput">The value whose gradient the loss writes before the backward pass.</param>
    /// <param name="trainable">The parameters a training step updates.</param>
    public StepBuffers(ModelGraph model, IAccelerator accelerator, int batchSize, bool training, Value lossInput,
        IReadOnlyList<Parameter> trainable)
    {
        BatchSize = batchSize;
        Plan = new ExecutionPlan(model.Graph, accelerator, batchSize, withGradients: training,
            seededGradients: [lossInput]);
        ZeroedParameters = training ? trainable.Where(p => !Plan.SetsGradientOf(p)).ToArray() : [];
        int classes = model.Output.SampleSize;
        Targets = accelerator.Allocate(batchSize * classes);
        LossPerSample = accelerator.Allocate(batchSize);
        // Training batches are prepared in the trainer's prefetcher's own slots; only inference copies here.
        if (!training)
        {
            HostInputs = new float[batchSize * model.Input.SampleSize];
            HostTargets = new float[batchSize * classes];
        }
    }

    public int BatchSize { get; }

    public ExecutionPlan Plan { get; }

    /// <summary>The trainable parameters whose gradients a step zeroes before the backward pass: those the plan's
    /// ops add to rather than set.</summary>
    public Parameter[] ZeroedParameters { get; }

    /// <summary>One-hot labels [batch, classes].</summary>
    public DeviceBuffer Targets { get; }

    public DeviceBuffer LossPerSample { get; }

    /// <summary>Inference buffers only: the batch's images as copied from the dataset.</summary>
    public float[]? HostInputs { get; }

    /// <summary>Inference buffers only: the batch's one-hot labels.</summary>
    public float[]? HostTargets { get; }

    public void Dispose()
    {
        Plan.Dispose();
        Targets.Dispose();
        LossPerSample.Dispose();
    }
}
