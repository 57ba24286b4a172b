using ILGPU;
using ILGPU.Runtime;

namespace GpuNet.Accelerators.Ilgpu;

/// <summary>
/// Device memory for one accelerator. The execution plan allocates every buffer once, so a
/// training step never allocates; freed blocks are kept by size and handed out again, so a
/// model built twice (evaluation after training) reuses the first one's memory. Everything goes
/// back to the device when the accelerator is disposed.
/// </summary>
internal sealed class IlgpuMemoryPool(Accelerator device, IlgpuAccelerator owner) : IDisposable
{
    private readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = [];
    private readonly List<MemoryBuffer1D<float, Stride1D.Dense>> _owned = [];

    public IlgpuAccelerator Owner { get; } = owner;

    /// <summary>Device allocations made so far: a step that allocates shows up here.</summary>
    public int DeviceAllocations { get; private set; }

    /// <summary>Bytes held on the device (in use or free for reuse).</summary>
    public long BytesHeld { get; private set; }

    public MemoryBuffer1D<float, Stride1D.Dense> Rent(int length)
    {
        // An empty buffer still gets one element, so every buffer has a real address.
        long elements = Math.Max(1, length);
        lock (_free)
        {
            if (_free.TryGetValue(elements, out var blocks) && blocks.Count > 0) return blocks.Pop();
        }
        MemoryBuffer1D<float, Stride1D.Dense> memory;
        try
        {
            memory = device.Allocate1D<float>(elements);
        }
        catch (Exception e) when (e is OutOfMemoryException or AcceleratorException)
        {
            throw new GpuNetException(
                $"{device.Name} is out of memory: {elements * sizeof(float):N0} bytes were asked for, with " +
                    $"{BytesHeld:N0} bytes " +
                $"already held by this run of {device.MemorySize:N0} on the device ({e.Message.TrimEnd('.')}). " +
                "Use a smaller batch size or model.");
        }
        DeviceAllocations++;
        BytesHeld += elements * sizeof(float);
        _owned.Add(memory);
        return memory;
    }

    /// <summary>Takes a block back for reuse. Buffers are disposed on whichever thread lets them go, outside the
    /// device's lock, so the free lists have their own.</summary>
    public void Return(MemoryBuffer1D<float, Stride1D.Dense> memory)
    {
        lock (_free)
        {
            if (!_free.TryGetValue(memory.Length, out var blocks)) _free[memory.Length] = blocks = new();
            blocks.Push(memory);
        }
    }

    public void Dispose()
    {
        foreach (var memory in _owned) memory.Dispose();
        _owned.Clear();
        _free.Clear();
        BytesHeld = 0;
    }
}
