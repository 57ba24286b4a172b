namespace GpuNet.Accelerators.Cuda;

/// <summary>
/// Device memory for one accelerator. The execution plan allocates every buffer once, so a
/// training step never calls cuMemAlloc; freed blocks are kept by size and handed out again,
/// so a model built twice (e.g. evaluation after training) reuses the first one's memory.
/// Everything is returned to the driver when the accelerator is disposed.
/// </summary>
internal sealed class CudaMemoryPool
{
    private readonly CudaDriver _driver;
    private readonly Dictionary<long, Stack<ulong>> _free = new();
    private readonly List<ulong> _owned = new();

    public CudaMemoryPool(CudaDriver driver, CudaAccelerator owner)
    {
        _driver = driver;
        Owner = owner;
    }

    public CudaAccelerator Owner { get; }

    /// <summary>cuMemAlloc calls made so far: a step that allocates shows up here.</summary>
    public int DriverAllocations { get; private set; }

    public ulong Rent(int length)
    {
        // A zero-length buffer still gets a distinct 4-byte block, so every buffer has a real address.
        long bytes = Math.Max(1L, length) * sizeof(float);
        if (_free.TryGetValue(bytes, out Stack<ulong>? blocks) && blocks.Count > 0) return blocks.Pop();
        int status = _driver.TryAllocate((ulong)bytes, out ulong pointer);
        if (status != 0)
        {
            var (free, total) = _driver.MemoryInfo();
            if (_driver.ErrorName(status) == "CUDA_ERROR_OUT_OF_MEMORY")
                throw new CudaException($"The GPU is out of memory: {bytes:N0} bytes were asked for with {free:N0} of {total:N0} bytes free (cuMemAlloc_v2). Use a smaller batch size or model.",
                    status, "CUDA_ERROR_OUT_OF_MEMORY");
            throw _driver.Failure(status, $"cuMemAlloc_v2({bytes} bytes)");
        }
        DriverAllocations++;
        _owned.Add(pointer);
        return pointer;
    }

    public void Return(ulong pointer, int length)
    {
        long bytes = Math.Max(1L, length) * sizeof(float);
        if (!_free.TryGetValue(bytes, out Stack<ulong>? blocks)) _free[bytes] = blocks = new Stack<ulong>();
        blocks.Push(pointer);
    }

    /// <summary>Frees every block the pool ever allocated (the context is destroyed right after).</summary>
    public void Release()
    {
        foreach (ulong pointer in _owned) _driver.Free(pointer);
        _owned.Clear();
        _free.Clear();
    }
}
