using GpuNet.Accelerators;
using GpuNet.Data;
using GpuNet.Kernels;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Training;

namespace GpuNet.Diagnostics;

/// <summary>
/// A small CNN — convolution, max pooling, batch norm, dropout, softmax, Adam — trained from the
/// same seed on two accelerators for a few steps, on synthetic digits (no dataset needed): the
/// loss after each step on both, so that every kernel of a training step is compared in context.
/// </summary>
public static class TrainingComparison
{
    public const int BatchSize = 8;

    /// <summary>The running loss after each of <paramref name="steps"/> steps, on each accelerator.</summary>
    public static (IReadOnlyList<float> Reference, IReadOnlyList<float> Device) Run(IAccelerator reference,
        IAccelerator device, int steps)
    {
        Dataset data = SyntheticDigits(steps * BatchSize);
        return (Losses(reference, data), Losses(device, data));
    }

    /// <summary>The largest |device − reference| / |reference| over the steps.</summary>
    public static double WorstRelativeDifference(IReadOnlyList<float> reference, IReadOnlyList<float> device)
    {
        if (reference.Count != device.Count) return double.PositiveInfinity;
        double worst = 0;
        for (int i = 0; i < reference.Count; i++)
        {
            double relative = Math.Abs(device[i] - reference[i]) / Math.Abs(reference[i]);
            if (!(relative <= worst)) worst = double.IsNaN(relative) ? double.PositiveInfinity : relative;
        }
        return worst;
    }

    /// <summary>
    /// The running loss after each step of one epoch of the small CNN on <paramref name="data"/>,
    /// from seed 1, with <paramref name="observers"/> called as well.
    /// </summary>
    public static List<float> Losses(IAccelerator accelerator, Dataset data, params TrainingCallback[] observers)
    {
        var model = new Sequential([28, 28, 1],
        [
            new Conv2DLayer(4, (5, 5), activation: "relu"),
            new MaxPooling2DLayer(2),
            new BatchNormalizationLayer(),
            new FlattenLayer(),
            new DropoutLayer(0.2f),
            new DenseLayer(10, "softmax"),
        ]);
        using var trainer = new Trainer(model, Loss.FromName("categorical_crossentropy"), new Adam(), accelerator,
            seed: 1);
        var recorder = new LossRecorder();
        trainer.Fit(data, epochs: 1, batchSize: BatchSize, callbacks: [recorder, .. observers]);
        return recorder.Losses;
    }

    /// <summary>Digits 0–9 as a bright bar at a place of their own, with Philox noise: learnable, and the same
    /// everywhere.</summary>
    private static Dataset SyntheticDigits(int count)
    {
        const int side = 28, pixels = side * side;
        var images = new float[count * pixels];
        var labels = new byte[count];
        for (int s = 0; s < count; s++)
        {
            int label = s % 10;
            labels[s] = (byte)label;
            for (int p = 0; p < pixels; p++)
            {
                int row = p / side, column = p % side;
                bool bar = row >= 2 + 2 * label && row < 5 + 2 * label && column >= 4 && column < 24;
                images[s * pixels + p] = (bar ? 0.8f : 0f)
                    + 0.2f * Philox.Uniform(seed: 7, stream: (ulong)s, index: (ulong)p);
            }
        }
        return new Dataset(images, labels, side, side);
    }

    private sealed class LossRecorder : TrainingCallback
    {
        public List<float> Losses { get; } = [];

        public override void OnBatchEnd(int epoch, int step, int stepsPerEpoch, float loss, float accuracy) =>
            Losses.Add(loss);
    }
}
