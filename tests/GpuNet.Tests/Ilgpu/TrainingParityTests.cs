using GpuNet.Accelerators;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Data;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Training;
using GpuNet.Training;
using Xunit.Abstractions;

namespace GpuNet.Tests.Ilgpu;

/// <summary>
/// A small CNN with batch norm, dropout and Adam trained on an ILGPU accelerator and on the CPU
/// from the same seed: the same losses step by step, and no device allocation after the first step.
/// </summary>
public sealed class TrainingParityTests(ITestOutputHelper output)
{
    private const int Steps = 30, BatchSize = 8;

    /// <summary>Records the running loss after every step and the device's allocation count.</summary>
    private sealed class StepRecorder : TrainingCallback
    {
        private Trainer? _trainer;
        public List<float> Losses { get; } = [];
        public List<int> DeviceAllocations { get; } = [];

        public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch) => _trainer = trainer;

        public override void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy)
        {
            Losses.Add(loss);
            if (_trainer?.Accelerator is IlgpuAccelerator ilgpu) DeviceAllocations.Add(ilgpu.DeviceAllocations);
        }
    }

    private static StepRecorder Train(string acceleratorName, Dataset data)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var model = new Sequential([28, 28, 1],
        [
            new Conv2DLayer(4, (5, 5), activation: "relu"),
            new MaxPooling2DLayer(2),
            new BatchNormalizationLayer(),
            new FlattenLayer(),
            new DropoutLayer(0.2f),
            new DenseLayer(10, "softmax"),
        ]);
        using var trainer = new Trainer(model, Loss.FromName("categorical_crossentropy"), new Adam(), accelerator, seed: 1);
        var recorder = new StepRecorder();
        trainer.Fit(data, epochs: 1, batchSize: BatchSize, callbacks: [recorder]);
        return recorder;
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.IlgpuNames), MemberType = typeof(AcceleratorCatalog))]
    public void Cnn_losses_match_the_cpu_step_by_step(string backend)
    {
        Dataset data = MnistSubset.Train(Steps * BatchSize);
        StepRecorder ilgpu = Train(backend, data), cpu = Train("cpu", data);
        Assert.Equal(Steps, cpu.Losses.Count);
        Assert.Equal(Steps, ilgpu.Losses.Count);
        double worst = 0;
        for (int step = 0; step < Steps; step++)
        {
            double relative = Math.Abs(ilgpu.Losses[step] - cpu.Losses[step]) / Math.Abs(cpu.Losses[step]);
            worst = Math.Max(worst, relative);
            // GEMM and reductions sum in another order: float32 rounding, amplified a little by Adam.
            Assert.True(relative <= 1e-4, $"step {step + 1}: {backend} {ilgpu.Losses[step]:R}, cpu {cpu.Losses[step]:R} (relative {relative:E2})");
        }
        output.WriteLine($"losses {cpu.Losses[0]:F4} → {cpu.Losses[^1]:F4}; largest relative difference {worst:E2}");
        // The plan allocates every buffer in the first step; later steps allocate nothing.
        Assert.All(ilgpu.DeviceAllocations, count => Assert.Equal(ilgpu.DeviceAllocations[0], count));
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.IlgpuNames), MemberType = typeof(AcceleratorCatalog))]
    public void Divergence_is_named_at_the_batch_the_cpu_names(string backend)
    {
        // A learning rate of 1e30 overflows the weights within a few steps; the ILGPU accelerator
        // reads its metrics only every 25 steps, so the batch comes from the per-step sums.
        TrainingDivergedException Diverge(string name)
        {
            using var accelerator = AcceleratorCatalog.Create(name);
            using var trainer = new Trainer(new Sequential([784], [new DenseLayer(10, "linear")]), Loss.MeanSquaredError,
                new Sgd(1e30f), accelerator, seed: 1);
            return Assert.Throws<TrainingDivergedException>(() => trainer.Fit(MnistSubset.Train(500), epochs: 3, batchSize: 50));
        }
        using (IAccelerator probe = AcceleratorCatalog.Create(backend)) Assert.True(probe.StepsPerMetricsRead > 1);
        TrainingDivergedException ilgpu = Diverge(backend), cpu = Diverge("cpu");
        Assert.Equal((cpu.Epoch, cpu.Batch), (ilgpu.Epoch, ilgpu.Batch));
        Assert.InRange(ilgpu.Batch, 2, 10);
    }
}
