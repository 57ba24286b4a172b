namespace GpuNet.Accelerators.Cpu.Contracts;

/// <summary>
/// The shape contracts every CPU kernel checks before it touches memory, written once: a kernel
/// reading past a buffer fails far from the cause, or not at all.
/// </summary>
internal static class BufferChecks
{
    /// <summary>Throws unless <paramref name="buffer"/> holds at least <paramref name="needed"/> floats.</summary>
    public static void CheckLength(float[] buffer, long needed, string name)
    {
        if (buffer.Length < needed)
            throw new ArgumentException($"{name} holds {buffer.Length} floats; the kernel needs {needed}.", name);
    }

    /// <summary>A pooling's window, its input x [N, C, H, W] and its output y [N, C, OH, OW].</summary>
    public static void CheckPooling(float[] input, float[] output, Window2D g)
    {
        g.Validate();
        CheckLength(input, g.InputLength, "x");
        CheckLength(output, (long)g.Batch * g.Channels * g.OutputPlane, "y");
    }

    /// <summary>A dropout's rate in [0, 1), and its input x, output y and mask of <paramref name="length"/>.</summary>
    public static void CheckDropout(float[] x, int length, float rate, float[] y, float[] mask)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        CheckLength(x, length, "x");
        CheckLength(y, length, "y");
        CheckLength(mask, length, "mask");
    }

    /// <summary>A dropout's output gradient dy, its mask and the input gradient dx, each of
    /// <paramref name="length"/>.</summary>
    public static void CheckDropoutGradient(float[] dy, float[] mask, int length, float[] dx)
    {
        CheckLength(dy, length, "dy");
        CheckLength(mask, length, "mask");
        CheckLength(dx, length, "dx");
    }
}
