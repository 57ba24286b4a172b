using GpuNet.Kernels;
using GpuNet.Random;

namespace GpuNet.Training;

/// <summary>The order in which an epoch visits the samples: a function of (seed, epoch) alone.</summary>
public static class Shuffle
{
    /// <summary>Fisher–Yates over 0..count-1 with draws from the counter-based generator.</summary>
    public static void Permutation(ulong seed, int epoch, Span<int> order)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        ulong stream = RandomStreams.Shuffle(epoch);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = Philox.Below(i + 1, seed, stream, (ulong)i);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
