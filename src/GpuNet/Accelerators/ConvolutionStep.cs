namespace GpuNet.Accelerators;

/// <summary>
/// The convolution of a fused convolution + max pooling step: y = kernel [F, C·kh·kw] over every
/// patch of x [N, C, H, W], with the workspaces the accelerator asked for
/// (<see cref="IAccelerator.Conv2DWorkspaceLengths"/>), left for the backward.
/// </summary>
public readonly record struct ConvolutionStep(Window2D Window, int Filters, DeviceBuffer X, DeviceBuffer Kernel,
    DeviceBuffer Columns, DeviceBuffer FilterMajor);

/// <summary>
/// The max pooling of a fused convolution + max pooling step, over the convolution's output
/// [N, F, OH, OW]: its window, whether a ReLU is fused into it, its output y and the arg-max it keeps.
/// </summary>
public readonly record struct PoolingStep(Window2D Window, bool Relu, DeviceBuffer Y, DeviceBuffer Argmax);

/// <summary>
/// Where a convolution's backward writes: dKernel and dBias (added to), and dx where given — added
/// to, or set where <paramref name="SetInput"/> (its only writer, under gradient setting).
/// </summary>
public readonly record struct ConvolutionGradients(DeviceBuffer Kernel, DeviceBuffer? Bias, DeviceBuffer? Input,
    bool SetInput);
