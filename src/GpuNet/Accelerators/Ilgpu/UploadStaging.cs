using ILGPU;
using ILGPU.Runtime;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// Page-locked host memory that uploads are copied through, so the device copies them while the
/// host goes on: a copy from ordinary (pageable) memory may make the driver wait for the stream.
/// The arena is filled front to back; its space is used again only once the stream has been waited
/// for (a download, or <see cref="IAccelerator.Synchronize"/>), and where it runs out the upload
/// waits for the stream itself.
/// </summary>
internal sealed class UploadStaging(Accelerator device) : IDisposable
{
    /// <summary>4 M floats: a few dozen MNIST batches between two waits.</summary>
    private const int InitialLength = 1 << 22;

    private PageLockedArray1D<float> _arena = device.AllocatePageLocked1D<float>(InitialLength, uninitialized: true);
    private long _used;

    /// <summary>Copies <paramref name="source"/> into the arena and queues its copy into <paramref
    /// name="target"/>.</summary>
    public void Upload(ReadOnlySpan<float> source, ArrayView<float> target, AcceleratorStream stream)
    {
        if (_used + source.Length > _arena.Length)
        {
            stream.Synchronize();
            _used = 0;
            if (source.Length > _arena.Length)
            {
                _arena.Dispose();
                _arena = device.AllocatePageLocked1D<float>(source.Length, uninitialized: true);
            }
        }
        source.CopyTo(_arena.Span.Slice((int)_used, source.Length));
        target.SubView(0, source.Length).CopyFromCPUUnsafeAsync(stream, ref _arena[_used], source.Length);
        _used += source.Length;
    }

    /// <summary>The stream has been waited for: every queued copy out of the arena is done.</summary>
    public void Reclaim() => _used = 0;

    public void Dispose() => _arena.Dispose();
}
