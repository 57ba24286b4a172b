namespace GpuNet.Accelerators.Cpu.Fast;

/// <summary>
/// The gradient at the output of a max pooling that reads a convolution's output, with what the
/// pooling kept: its arg-max and, where it applied a ReLU, its output. The convolution's own dy is
/// made from them where it is used.
/// </summary>
internal readonly record struct FusedPoolingGradient(float[] Dy, float[] Argmax, float[]? ReluOutput, Window2D Pool);
