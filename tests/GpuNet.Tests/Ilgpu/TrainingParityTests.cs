using GpuNet.Accelerators;
using GpuNet.Accelerators.Ilgpu;
using GpuNet.Data;
using GpuNet.Diagnostics;
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
    private const int Steps = 30;

    /// <summary>The device's allocation count after every step.</summary>
    private sealed class AllocationRecorder : TrainingCallback
    {
        private Trainer? _trainer;
        public List<int> Counts { get; } = [];

        public override void OnTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch, int initialEpoch) =>
            _trainer = trainer;

        public override void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy) =>
            Counts.Add(((IlgpuAccelerator)_trainer!.Accelerator).DeviceAllocations);
    }

    [SkippableTheory]
    [MemberData(nameof(AcceleratorCatalog.IlgpuNames), MemberType = typeof(AcceleratorCatalog))]
    public void Cnn_losses_match_the_cpu_step_by_step(string backend)
    {
        Dataset data = MnistSubset.Train(Steps * TrainingComparison.BatchSize);
        var allocations = new AllocationRecorder();
        List<float> ilgpu, cpu;
        using (IAccelerator device = AcceleratorCatalog.Create(backend))
            ilgpu = TrainingComparison.Losses(device, data, allocations);
        using (IAccelerator reference = AcceleratorCatalog.Create("cpu"))
            cpu = TrainingComparison.Losses(reference, data);
        Assert.Equal(Steps, cpu.Count);
        Assert.Equal(Steps, ilgpu.Count);
        double worst = TrainingComparison.WorstRelativeDifference(cpu, ilgpu);
        // GEMM and reductions sum in another order: float32 rounding, amplified a little by Adam.
        Assert.True(worst <= 1e-4,
            $"largest relative difference {worst:E2}: {backend} [{string.Join(", ", ilgpu)}], cpu [{string.Join(", ",
                cpu)}]");
        output.WriteLine($"losses {cpu[0]:F4} → {cpu[^1]:F4}; largest relative difference {worst:E2}");
        // The plan allocates every buffer in the first step; later steps allocate nothing.
        Assert.Equal(Steps, allocations.Counts.Count);
        Assert.All(allocations.Counts, count => Assert.Equal(allocations.Counts[0], count));
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
            using var trainer = new Trainer(new Sequential([784], [new DenseLayer(10, "linear")]),
                Loss.MeanSquaredError, new Sgd(1e30f), accelerator, seed: 1);
            return Assert.Throws<TrainingDivergedException>(() =>
                trainer.Fit(MnistSubset.Train(500), epochs: 3, batchSize: 50));
        }
        using (IAccelerator probe = AcceleratorCatalog.Create(backend)) Assert.True(probe.StepsPerMetricsRead > 1);
        TrainingDivergedException ilgpu = Diverge(backend), cpu = Diverge("cpu");
        Assert.Equal((cpu.Epoch, cpu.Batch), (ilgpu.Epoch, ilgpu.Batch));
        Assert.InRange(ilgpu.Batch, 2, 10);
    }
}
