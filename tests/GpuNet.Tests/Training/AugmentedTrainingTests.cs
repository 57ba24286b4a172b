using GpuNet.Accelerators.Cpu;
using GpuNet.Data.Augmentation;
using GpuNet.Layers;
using GpuNet.Losses;
using GpuNet.Models;
using GpuNet.Optimizers;
using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>Batches prepared on the background thread, augmented on the fly, keep training reproducible.</summary>
public sealed class AugmentedTrainingTests
{
    private static float[] TrainedWeights(GpuNet.Data.Augmentation.Augmentation? augmentation, int epochs = 2)
    {
        var model = new Sequential([28, 28],
            [new FlattenLayer(), new DenseLayer(16, "relu"), new DenseLayer(10, "softmax")]);
        using var trainer = new Trainer(model, Loss.FromName("categorical_crossentropy"), new Adam(0.003f),
            new CpuAccelerator(), seed: 4)
        {
            Augmentation = augmentation,
        };
        trainer.Fit(MnistSubset.Train(600), epochs, batchSize: 32);
        return trainer.GetWeights().SelectMany(w => w.Values).ToArray();
    }

    private static GpuNet.Data.Augmentation.Augmentation Rotations() =>
        new([new RandomRotation([(5, 25), (-25, -5)]), new RandomShift(1, fourDirections: true)],
            AugmentationMode.OnTheFly, 1);

    [Fact]
    public void On_the_fly_augmentation_gives_the_same_weights_for_the_same_seed()
    {
        Assert.Equal(TrainedWeights(Rotations()), TrainedWeights(Rotations()));
    }

    [Fact]
    public void Augmented_batches_are_what_the_network_trains_on()
    {
        Assert.NotEqual(TrainedWeights(null), TrainedWeights(Rotations()));
        // Without augmentation the prefetched batches are the plain ones: still reproducible.
        Assert.Equal(TrainedWeights(null), TrainedWeights(null));
    }
}
