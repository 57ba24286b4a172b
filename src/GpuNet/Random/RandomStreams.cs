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
    public static ulong Dropout(long step, int nodeIndex) => 0x4000_0000_0000UL + ((ulong)step << 12) + (ulong)nodeIndex;
}
