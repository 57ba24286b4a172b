using GpuNet.Accelerators.Cuda;
using GpuNet.Data;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Tests.Accelerators;
using GpuNet.Tests.Training;
using GpuNet.Training;
using Xunit.Abstractions;

namespace GpuNet.Tests.Cuda;

/// <summary>The lecture's CNN trained on cuda-emulated and on the CPU: the same losses step by step.</summary>
public sealed class TrainingParityTests(ITestOutputHelper output)
{
    private const int Steps = 30, BatchSize = 120;

    /// <summary>Records the running loss after every step and the driver's allocation count.</summary>
    private sealed class StepRecorder : TrainingCallback
    {
        private Trainer? _trainer;
        public List<float> Losses { get; } = [];
        public List<int> DriverAllocations { get; } = [];

        public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch) => _trainer = trainer;

        public override void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy)
        {
            Losses.Add(loss);
            if (_trainer?.Accelerator is CudaAccelerator cuda) DriverAllocations.Add(cuda.DriverAllocations);
        }
    }

    private static StepRecorder Train(string acceleratorName, Dataset data)
    {
        using var accelerator = AcceleratorCatalog.Create(acceleratorName);
        var model = new Sequential([28, 28, 1],
        [
            new Conv2DLayer(16, (5, 5), activation: "relu"),
            new MaxPooling2DLayer(2),
            new FlattenLayer(),
            new DropoutLayer(0.2f),
            new DenseLayer(10, "softmax"),
        ]);
        using var trainer = new Trainer(model, Loss.FromName("categorical_crossentropy"), new Adam(), accelerator, seed: 1);
        var recorder = new StepRecorder();
        trainer.Fit(data, epochs: 1, batchSize: BatchSize, callbacks: [recorder]);
        return recorder;
    }

    [Fact]
    public void Lecture_cnn_losses_match_the_cpu_step_by_step()
    {
        Dataset data = MnistSubset.Train(Steps * BatchSize);
        StepRecorder cpu = Train("cpu", data), cuda = Train("cuda-emulated", data);
        Assert.Equal(Steps, cpu.Losses.Count);
        Assert.Equal(Steps, cuda.Losses.Count);
        double worst = 0;
        for (int step = 0; step < Steps; step++)
        {
            double relative = Math.Abs(cuda.Losses[step] - cpu.Losses[step]) / Math.Abs(cpu.Losses[step]);
            worst = Math.Max(worst, relative);
            // GEMM and reductions sum in another order: float32 rounding, amplified a little by Adam.
            Assert.True(relative <= 1e-4, $"step {step + 1}: cuda-emulated {cuda.Losses[step]:R}, cpu {cpu.Losses[step]:R} (relative {relative:E2})");
        }
        output.WriteLine($"losses {cpu.Losses[0]:F4} → {cpu.Losses[^1]:F4}; largest relative difference {worst:E2}");
        // The plan allocates every buffer in the first step; later steps allocate nothing.
        Assert.All(cuda.DriverAllocations, count => Assert.Equal(cuda.DriverAllocations[0], count));
    }
}
