using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuNet.Accelerators.Cuda;

/// <summary>Room for the largest kernel parameter, the 48-byte window geometry.</summary>
[InlineArray(6)]
internal struct KernelArgumentBytes
{
    private ulong _element;
}

/// <summary>
/// One kernel parameter's bytes, laid out as the kernel's C type: cuLaunchKernel receives a
/// pointer to each argument and copies as many bytes as the PTX parameter declares.
/// </summary>
internal struct KernelArgument
{
    private KernelArgumentBytes _bytes;

    private Span<ulong> Words => MemoryMarshal.CreateSpan(ref _bytes[0], 6);

    public static KernelArgument Of(int value) => Write(value);

    public static KernelArgument Of(float value) => Write(value);

    public static KernelArgument Of(ulong value) => Write(value);

    public static KernelArgument Of(bool value) => Write(value ? 1 : 0);

    /// <summary>A buffer's CUdeviceptr; a null buffer passes a null pointer (an optional output or parameter).</summary>
    public static KernelArgument Of(CudaBuffer? buffer) => Write(buffer?.Pointer ?? 0UL);

    /// <summary>struct gpunet_window of kernels/gpunet_device.h: twelve ints in Window2D's order.</summary>
    public static KernelArgument Of(in Window2D g)
    {
        ReadOnlySpan<int> fields =
        [
            g.Batch, g.Channels, g.Height, g.Width, g.WindowHeight, g.WindowWidth,
            g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.OutputHeight, g.OutputWidth,
        ];
        var argument = new KernelArgument();
        fields.CopyTo(MemoryMarshal.Cast<ulong, int>(argument.Words));
        return argument;
    }

    /// <summary>struct gpunet_nadam_scalars of kernels/optimizers.cu: nine floats in NadamScalars's order.</summary>
    public static KernelArgument Of(in NadamScalars s)
    {
        ReadOnlySpan<float> fields =
        [
            s.LearningRate, s.Beta1, s.Beta2, s.Epsilon, s.MomentumCache, s.NextMomentumCache,
            s.ScheduleProduct, s.NextScheduleProduct, s.SecondMomentCorrection,
        ];
        var argument = new KernelArgument();
        fields.CopyTo(MemoryMarshal.Cast<ulong, float>(argument.Words));
        return argument;
    }

    private static KernelArgument Write<T>(T value) where T : unmanaged
    {
        var argument = new KernelArgument();
        MemoryMarshal.Write(MemoryMarshal.AsBytes(argument.Words), in value);
        return argument;
    }
}
