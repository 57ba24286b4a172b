namespace GpuNet.Accelerators;

/// <summary>
/// A block of float32 memory owned by one accelerator: host memory for the CPU, device memory
/// for an ILGPU device. Only the accelerator that made it may read or write it.
/// </summary>
public abstract class DeviceBuffer : IDisposable
{
    protected DeviceBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>Number of float32 elements.</summary>
    public int Length { get; }

    public abstract void Dispose();
}
