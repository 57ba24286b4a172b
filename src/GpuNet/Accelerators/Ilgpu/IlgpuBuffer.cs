using ILGPU;
using ILGPU.Runtime;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>Memory of one <see cref="IlgpuAccelerator"/>, rented from its pool and given back on dispose.</summary>
internal sealed class IlgpuBuffer : DeviceBuffer
{
    private IlgpuMemoryPool? _pool;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _memory;

    public IlgpuBuffer(IlgpuMemoryPool pool, MemoryBuffer1D<float, Stride1D.Dense> memory, int length) : base(length)
    {
        _pool = pool;
        _memory = memory;
        View = memory.View.SubView(0, Math.Max(1, length));
    }

    /// <summary>The buffer's floats on the device (one element even for an empty buffer, so every view is
    /// valid).</summary>
    public ArrayView<float> View { get; }

    public IlgpuAccelerator Owner => _pool?.Owner ?? throw new ObjectDisposedException(nameof(IlgpuBuffer));

    public override void Dispose()
    {
        _pool?.Return(_memory);
        _pool = null;
    }
}
