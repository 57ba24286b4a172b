namespace GpuNet.Accelerators.Cuda;

/// <summary>Device memory of a <see cref="CudaAccelerator"/>: the CUdeviceptr stays inside this folder.</summary>
internal sealed class CudaBuffer : DeviceBuffer
{
    private CudaMemoryPool? _pool;

    public CudaBuffer(CudaMemoryPool pool, ulong pointer, int length) : base(length)
    {
        _pool = pool;
        Pointer = pointer;
    }

    public ulong Pointer { get; private set; }

    public CudaAccelerator Owner => _pool?.Owner ?? throw new ObjectDisposedException(nameof(CudaBuffer));

    /// <summary>Gives the memory back to the pool for the next buffer of the same size.</summary>
    public override void Dispose()
    {
        _pool?.Return(Pointer, Length);
        _pool = null;
        Pointer = 0;
    }
}
