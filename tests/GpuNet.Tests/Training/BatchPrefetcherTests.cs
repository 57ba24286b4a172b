using GpuNet.Data;
using GpuNet.Data.Augmentation;
using GpuNet.Training;

namespace GpuNet.Tests.Training;

/// <summary>
/// The two ways a batch is made, on a thread beside the step and on the caller's thread when taken:
/// the same batches, in the same order, with augmentation drawn on the fly; and a failure to make
/// one reported when it is taken.
/// </summary>
public sealed class BatchPrefetcherTests
{
    private const int BatchSize = 7;

    private static readonly Lazy<Dataset> Digits = new(() => MnistSubset.Train(30));

    private static List<(float[] Images, float[] Targets)> Epoch(bool beside, int[] order, Augmentation? augmentation)
    {
        Dataset data = Digits.Value;
        using var prefetcher = new BatchPrefetcher(BatchSize, data.PixelsPerImage, data.ClassCount, beside);
        int steps = (order.Length + BatchSize - 1) / BatchSize;
        var batches = new List<(float[], float[])>();
        prefetcher.Prepare(data, order, 0, epoch: 3, augmentation, seed: 11);
        for (int step = 0; step < steps; step++)
        {
            int count = Math.Min(BatchSize, order.Length - step * BatchSize);
            var (images, targets) = prefetcher.Take(step, count);
            // Copied before the next batch may reuse the slot.
            batches.Add((images.ToArray(), targets.ToArray()));
            if (step + 1 < steps) prefetcher.Prepare(data, order, step + 1, epoch: 3, augmentation, seed: 11);
        }
        return batches;
    }

    [Fact]
    public void Both_ways_make_the_same_batches()
    {
        int[] order = Enumerable.Range(0, 30).Reverse().ToArray();
        var augmentation = new Augmentation([new RandomShift(2, fourDirections: false),
            new RandomRotation([(-10, 10)])], AugmentationMode.OnTheFly, copies: 1);
        foreach (Augmentation? augment in new[] { null, augmentation })
        {
            var (beside, taken) = (Epoch(beside: true, order, augment), Epoch(beside: false, order, augment));
            Assert.Equal(5, taken.Count);
            for (int b = 0; b < beside.Count; b++)
            {
                Assert.Equal(beside[b].Images, taken[b].Images);
                Assert.Equal(beside[b].Targets, taken[b].Targets);
            }
            // The last batch holds samples 1 and 0 of the reversed order, and nothing else.
            Assert.Equal(2 * Digits.Value.PixelsPerImage, taken[^1].Images.Length);
            if (augment is null)
                Assert.Equal(Digits.Value.GetImage(0).ToArray(), taken[^1].Images[Digits.Value.PixelsPerImage..]);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_batch_that_cannot_be_made_fails_when_taken(bool beside)
    {
        Dataset data = Digits.Value;
        using var prefetcher = new BatchPrefetcher(BatchSize, data.PixelsPerImage, data.ClassCount, beside);
        int[] order = [0, 1, 2, 3, 4, 5, 99];
        prefetcher.Prepare(data, order, 0, epoch: 1, augmentation: null, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => prefetcher.Take(0, BatchSize));
    }
}
