namespace GpuNet.Accelerators;

/// <summary>
/// Where the backward of a Dense layer's y = x · kernel + bias writes: dKernel, set where <paramref name="SetKernel"/>
/// (its only writer, under gradient setting) and else added to; dBias, added to, where the layer has a bias; dx where
/// the input takes a gradient, set where <paramref name="SetInput"/> and else added to.
/// </summary>
public readonly record struct DenseGradients(DeviceBuffer Kernel, bool SetKernel, DeviceBuffer? Bias,
    DeviceBuffer? Input, bool SetInput);
