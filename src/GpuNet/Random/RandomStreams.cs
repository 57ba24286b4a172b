namespace GpuNet.Random;

/// <summary>
/// The stream numbers that keep the uses of one seed apart: weights, shuffles and dropout never
/// draw the same numbers, whatever the order in which they are drawn.
/// </summary>
public static class RandomStreams
{
    public static ulong Initializer(int parameterIndex) => 0x1000_0000UL + (ulong)parameterIndex;

    public static ulong Shuffle(int epoch) => 0x2000_0000UL + (ulong)epoch;

    /// <summary>One stream per training step and dropout layer, so masks differ across steps and layers.</summary>
    public static ulong Dropout(long step, int nodeIndex) => 0x4000_0000_0000UL + ((ulong)step << 12)
        + (ulong)nodeIndex;

    /// <summary>The draws that transform one training sample in one epoch: every epoch sees new transforms, the same
    /// for every run of the seed.</summary>
    public static ulong Augmentation(int epoch, int sampleIndex) =>
        0x8000_0000_0000_0000UL + ((ulong)(uint)epoch << 32) + (uint)sampleIndex;

    /// <summary>The draws that make copy <paramref name="copy"/> of one sample in a statically expanded training
    /// set.</summary>
    public static ulong Expansion(int copy, int sampleIndex) => 0xC000_0000_0000_0000UL + ((ulong)(uint)copy << 32)
        + (uint)sampleIndex;
}
