namespace GpuNet.Accelerators;

/// <summary>
/// Where the backward of a Dense layer's y = x · kernel + bias writes: dKernel, set where <paramref name="SetKernel"/>
/// (its only writer, under gradient setting) and else added to; dBias, added to, where the layer has a bias; dx where
/// the input takes a gradient, set where <paramref name="SetInput"/> and else added to.
/// </summary>
public readonly record struct DenseGradients(DeviceBuffer Kernel, bool SetKernel, DeviceBuffer? Bias,
    DeviceBuffer? Input, bool SetInput)
{
    /// <summary>The gradients as <see cref="IAccelerator.DenseBackward"/> makes them, by <paramref
    /// name="accelerator"/>'s kernels in turn: dKernel = xᵀ · dy, dBias += Σ over the rows of dy, dx = dy ·
    /// kernelᵀ.</summary>
    public void InTurn(IAccelerator accelerator, DeviceBuffer x, DeviceBuffer kernel, DeviceBuffer dy, int batch,
        int inputs, int outputs)
    {
        accelerator.Gemm(true, false, x, dy, inputs, outputs, batch, 1f, SetKernel ? 0f : 1f, Kernel);
        if (Bias is { } dBias) accelerator.BiasGradient(dy, batch, outputs, dBias);
        if (Input is { } dx)
            accelerator.Gemm(false, true, dy, kernel, batch, inputs, outputs, 1f, SetInput ? 0f : 1f, dx);
    }
}
