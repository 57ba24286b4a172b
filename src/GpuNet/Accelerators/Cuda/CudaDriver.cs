using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuNet.Accelerators.Cuda;

/// <summary>
/// Every CUDA driver-API entry point GpuNet uses, bound from one driver library: libcuda.so.1
/// normally, or another library with the same exports (the host emulator in tests, or what
/// GPUNET_CUDA_LIBRARY names). The entry points are unmanaged function pointers resolved once
/// per library rather than [LibraryImport] stubs, because one process (the test run) may hold
/// the real driver and the emulator at the same time, and a DllImport resolver can bind a
/// library name only once per assembly.
/// </summary>
internal sealed unsafe class CudaDriver
{
    /// <summary>The NVIDIA driver's library on Linux.</summary>
    public const string DefaultLibrary = "libcuda.so.1";

    /// <summary>Names another library with the driver API's exports, e.g. the host emulator.</summary>
    public const string LibraryVariable = "GPUNET_CUDA_LIBRARY";

    private static readonly Dictionary<string, CudaDriver> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock LoadLock = new();

    private readonly delegate* unmanaged<uint, int> _init;
    private readonly delegate* unmanaged<int*, int> _deviceGetCount;
    private readonly delegate* unmanaged<int*, int, int> _deviceGet;
    private readonly delegate* unmanaged<byte*, int, int, int> _deviceGetName;
    private readonly delegate* unmanaged<nint*, uint, int, int> _ctxCreate;
    private readonly delegate* unmanaged<nint, int> _ctxDestroy;
    private readonly delegate* unmanaged<int> _ctxSynchronize;
    private readonly delegate* unmanaged<nint, int> _ctxSetCurrent;
    private readonly delegate* unmanaged<nint*, byte*, int> _moduleLoadData;
    private readonly delegate* unmanaged<nint*, nint, byte*, int> _moduleGetFunction;
    private readonly delegate* unmanaged<nint*, uint, int> _streamCreate;
    private readonly delegate* unmanaged<nint, int> _streamDestroy;
    private readonly delegate* unmanaged<nint, int> _streamSynchronize;
    private readonly delegate* unmanaged<nuint*, nuint*, int> _memGetInfo;
    private readonly delegate* unmanaged<ulong*, nuint, int> _memAlloc;
    private readonly delegate* unmanaged<ulong, int> _memFree;
    private readonly delegate* unmanaged<ulong, void*, nuint, nint, int> _memcpyHtoDAsync;
    private readonly delegate* unmanaged<void*, ulong, nuint, nint, int> _memcpyDtoHAsync;
    private readonly delegate* unmanaged<ulong, uint, nuint, nint, int> _memsetD32Async;
    private readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> _launchKernel;
    private readonly delegate* unmanaged<int, byte**, int> _getErrorName;
    private readonly delegate* unmanaged<int, byte**, int> _getErrorString;

    private CudaDriver(string library, nint handle)
    {
        Library = library;
        _init = (delegate* unmanaged<uint, int>)Export(handle, "cuInit");
        _deviceGetCount = (delegate* unmanaged<int*, int>)Export(handle, "cuDeviceGetCount");
        _deviceGet = (delegate* unmanaged<int*, int, int>)Export(handle, "cuDeviceGet");
        _deviceGetName = (delegate* unmanaged<byte*, int, int, int>)Export(handle, "cuDeviceGetName");
        _ctxCreate = (delegate* unmanaged<nint*, uint, int, int>)Export(handle, "cuCtxCreate_v2");
        _ctxDestroy = (delegate* unmanaged<nint, int>)Export(handle, "cuCtxDestroy_v2");
        _ctxSynchronize = (delegate* unmanaged<int>)Export(handle, "cuCtxSynchronize");
        _ctxSetCurrent = (delegate* unmanaged<nint, int>)Export(handle, "cuCtxSetCurrent");
        _moduleLoadData = (delegate* unmanaged<nint*, byte*, int>)Export(handle, "cuModuleLoadData");
        _moduleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)Export(handle, "cuModuleGetFunction");
        _streamCreate = (delegate* unmanaged<nint*, uint, int>)Export(handle, "cuStreamCreate");
        _streamDestroy = (delegate* unmanaged<nint, int>)Export(handle, "cuStreamDestroy_v2");
        _streamSynchronize = (delegate* unmanaged<nint, int>)Export(handle, "cuStreamSynchronize");
        _memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)Export(handle, "cuMemGetInfo_v2");
        _memAlloc = (delegate* unmanaged<ulong*, nuint, int>)Export(handle, "cuMemAlloc_v2");
        _memFree = (delegate* unmanaged<ulong, int>)Export(handle, "cuMemFree_v2");
        _memcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, nint, int>)Export(handle, "cuMemcpyHtoDAsync_v2");
        _memcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, nint, int>)Export(handle, "cuMemcpyDtoHAsync_v2");
        _memsetD32Async = (delegate* unmanaged<ulong, uint, nuint, nint, int>)Export(handle, "cuMemsetD32Async");
        _launchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)Export(handle, "cuLaunchKernel");
        _getErrorName = (delegate* unmanaged<int, byte**, int>)Export(handle, "cuGetErrorName");
        _getErrorString = (delegate* unmanaged<int, byte**, int>)Export(handle, "cuGetErrorString");
    }

    /// <summary>The path or name the driver was loaded from.</summary>
    public string Library { get; }

    /// <summary>
    /// The driver in <paramref name="library"/> (default: GPUNET_CUDA_LIBRARY, else libcuda.so.1),
    /// loaded and initialised once per process.
    /// </summary>
    public static CudaDriver Load(string? library = null)
    {
        library ??= Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultLibrary;
        lock (LoadLock)
        {
            if (Loaded.TryGetValue(library, out CudaDriver? existing)) return existing;
            if (!NativeLibrary.TryLoad(library, out nint handle))
                throw new GpuNetException($"The CUDA driver library '{library}' could not be loaded: install the NVIDIA driver, or set {LibraryVariable} to a library with the CUDA driver API.");
            var driver = new CudaDriver(library, handle);
            driver.ThrowIfFailed(driver._init(0));
            Loaded[library] = driver;
            return driver;
        }
    }

    /// <summary>The number of CUDA devices <paramref name="library"/> offers, or null with the reason when it cannot be asked.</summary>
    public static int? TryCountDevices(string? library, out string reason)
    {
        try
        {
            int count = Load(library).DeviceCount();
            reason = count > 0 ? $"{count} CUDA device(s)" : "the driver reports no CUDA device";
            return count;
        }
        catch (GpuNetException e)
        {
            reason = e.Message;
            return null;
        }
    }

    private static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out nint address)
            ? address
            : throw new GpuNetException($"The CUDA driver library has no entry point {name}; it is older than GpuNet needs or not a CUDA driver.");

    public int DeviceCount()
    {
        int count;
        ThrowIfFailed(_deviceGetCount(&count));
        return count;
    }

    public int Device(int ordinal)
    {
        int device;
        ThrowIfFailed(_deviceGet(&device, ordinal));
        return device;
    }

    public string DeviceName(int device)
    {
        byte* name = stackalloc byte[256];
        ThrowIfFailed(_deviceGetName(name, 256, device));
        return Marshal.PtrToStringUTF8((nint)name) ?? "";
    }

    public CudaContextHandle CreateContext(int device)
    {
        nint context;
        ThrowIfFailed(_ctxCreate(&context, 0, device));
        return new CudaContextHandle(this, context);
    }

    public int DestroyContext(nint context) => _ctxDestroy(context);

    public void SynchronizeContext() => ThrowIfFailed(_ctxSynchronize());

    public void SetCurrentContext(nint context) => ThrowIfFailed(_ctxSetCurrent(context));

    /// <summary>Loads a NUL-terminated PTX image; the driver JIT-compiles it for the device.</summary>
    public nint LoadModule(ReadOnlySpan<byte> ptx)
    {
        byte[] image = new byte[ptx.Length + 1];
        ptx.CopyTo(image);
        nint module;
        fixed (byte* data = image) ThrowIfFailed(_moduleLoadData(&module, data));
        return module;
    }

    public nint GetFunction(nint module, string name)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        nint function;
        fixed (byte* data = utf8) ThrowIfFailed(_moduleGetFunction(&function, module, data), $"cuModuleGetFunction({name})");
        return function;
    }

    public nint CreateStream()
    {
        nint stream;
        ThrowIfFailed(_streamCreate(&stream, 0));
        return stream;
    }

    public int DestroyStream(nint stream) => _streamDestroy(stream);

    public void SynchronizeStream(nint stream) => ThrowIfFailed(_streamSynchronize(stream));

    public (ulong Free, ulong Total) MemoryInfo()
    {
        nuint free, total;
        ThrowIfFailed(_memGetInfo(&free, &total));
        return (free, total);
    }

    /// <summary>The status of cuMemAlloc, so that the caller can describe an out-of-memory failure.</summary>
    public int TryAllocate(ulong bytes, out ulong pointer)
    {
        ulong result;
        int status = _memAlloc(&result, (nuint)bytes);
        pointer = result;
        return status;
    }

    public int Free(ulong pointer) => _memFree(pointer);

    public void CopyToDevice(ulong destination, ReadOnlySpan<float> source, nint stream)
    {
        fixed (float* data = source)
            ThrowIfFailed(_memcpyHtoDAsync(destination, data, (nuint)((ulong)source.Length * sizeof(float)), stream));
    }

    public void CopyToHost(Span<float> destination, ulong source, nint stream)
    {
        fixed (float* data = destination)
            ThrowIfFailed(_memcpyDtoHAsync(data, source, (nuint)((ulong)destination.Length * sizeof(float)), stream));
    }

    public void Fill(ulong destination, uint bits, int count, nint stream) =>
        ThrowIfFailed(_memsetD32Async(destination, bits, (nuint)count, stream));

    public void Launch(nint function, uint gridX, uint gridY, uint blockX, uint sharedBytes, nint stream, void** arguments, string kernel) =>
        ThrowIfFailed(_launchKernel(function, gridX, gridY, 1, blockX, 1, 1, sharedBytes, stream, arguments, null), $"cuLaunchKernel({kernel})");

    public string ErrorName(int status)
    {
        byte* name;
        return _getErrorName(status, &name) == 0 && name != null ? Marshal.PtrToStringUTF8((nint)name) ?? $"CUresult {status}" : $"CUresult {status}";
    }

    public string ErrorText(int status)
    {
        byte* text;
        return _getErrorString(status, &text) == 0 && text != null ? Marshal.PtrToStringUTF8((nint)text) ?? "" : "";
    }

    /// <summary>Turns a driver status into a <see cref="CudaException"/> naming the call that returned it.</summary>
    public void ThrowIfFailed(int status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != 0) throw Failure(status, call);
    }

    public CudaException Failure(int status, string call)
    {
        string name = ErrorName(status), text = ErrorText(status);
        return new CudaException($"CUDA driver call {call} failed with {name}{(text.Length > 0 ? $" ({text})" : "")} [{Library}].", status, name);
    }
}
