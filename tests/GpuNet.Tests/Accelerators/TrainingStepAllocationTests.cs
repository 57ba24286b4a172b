using GpuNet.Accelerators.Cpu;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Tests.Training;
using GpuNet.Training;

namespace GpuNet.Tests.Accelerators;

/// <summary>
/// A steady-state training step on the CPU accelerator allocates (next to) nothing, so a long run
/// never stops for the garbage collector. Measured on the training thread between the ends of
/// consecutive steps: the trainer's own loop, the batch hand-over from the preparing thread and
/// every kernel call are counted.
/// </summary>
[Collection(CpuThreadCountCollection.Name)]
public sealed class TrainingStepAllocationTests
{
    private const long MaximumBytesPerStep = 1024;

    public static TheoryData<string> Models => new() { "mlp", "cnn" };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_training_step_allocates_less_than_a_kilobyte(string name)
    {
        Sequential model = name == "mlp"
            ? new Sequential([784],
                [new DenseLayer(64, "relu"), new DropoutLayer(0.2f), new DenseLayer(64, "tanh"),
                    new DenseLayer(10, "softmax")])
            : new Sequential([28, 28, 1],
                [new Conv2DLayer(4, (5, 5), activation: "relu"), new MaxPooling2DLayer(2), new FlattenLayer(),
                new DropoutLayer(0.2f), new DenseLayer(10, "softmax")]);
        using var trainer = new Trainer(model, Loss.CategoricalCrossEntropy, new Adam(), new CpuAccelerator(), seed: 1);
        var probe = new AllocationProbe();
        trainer.Fit(MnistSubset.Train(600), epochs: 2, batchSize: 60, callbacks: [probe]);
        Assert.Equal(9, probe.Count);
        for (int i = 0; i < probe.Count; i++)
            Assert.True(probe.Bytes[i] < MaximumBytesPerStep,
                $"{name}: step {i + 2} of the second epoch allocated {probe.Bytes[i]} bytes");
    }

    /// <summary>Bytes allocated between the ends of consecutive steps of the second epoch (the first warms everything
    /// up).</summary>
    private sealed class AllocationProbe : TrainingCallback
    {
        private long _previous = -1;

        public long[] Bytes { get; } = new long[64];

        public int Count { get; private set; }

        public override void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (epoch == 2 && _previous >= 0 && step > 1) Bytes[Count++] = now - _previous;
            _previous = now;
        }
    }
}
