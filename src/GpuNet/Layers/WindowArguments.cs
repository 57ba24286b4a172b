namespace GpuNet.Layers;

/// <summary>Checks of the (height, width) pairs that convolution and pooling layers take.</summary>
internal static class WindowArguments
{
    public static void CheckPair(string layer, string argument, (int Height, int Width) pair)
    {
        if (pair.Height <= 0 || pair.Width <= 0)
            throw new GpuNetException($"{layer}: '{argument}' must be positive integers, got " +
                $"({pair.Height}, {pair.Width})");
    }
}
