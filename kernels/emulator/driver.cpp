// The CUDA driver API entry points GpuNet's CudaAccelerator calls, with the real names and
// signatures, implemented on the host. Device memory is host memory; every stream operation
// runs to completion when issued, so synchronisation is a no-op. Copies and memsets are
// checked against the allocations they touch, which a real GPU would not report as clearly.
#include "registry.h"
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#define GPUNET_EXPORT extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum : CUresult
{
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
};

namespace
{
    struct Context { int device; };
    struct Module { std::string image; };
    struct Function { const gpunet_emulator::KernelEntry* entry; };
    struct Stream { int unused; };

    // Reported as the device's memory; GPUNET_EMULATOR_MEMORY_BYTES overrides it.
    std::size_t total_memory()
    {
        const char* text = std::getenv("GPUNET_EMULATOR_MEMORY_BYTES");
        return text ? std::strtoull(text, nullptr, 10) : (std::size_t{4} << 30);
    }

    std::mutex lock;
    // One launch at a time in the whole process: kernels share the globals of gpunet_emulator.h.
    std::mutex launch_lock;
    bool initialized = false;
    std::map<CUdeviceptr, std::size_t> allocations; // start → bytes
    std::size_t allocated = 0;

    // True when [address, address + bytes) lies inside one allocation.
    bool inside_allocation(CUdeviceptr address, std::size_t bytes)
    {
        std::lock_guard<std::mutex> guard(lock);
        auto next = allocations.upper_bound(address);
        if (next == allocations.begin()) return false;
        --next;
        return address + bytes <= next->first + next->second;
    }
}

GPUNET_EXPORT CUresult cuInit(unsigned flags)
{
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    initialized = true;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuDriverGetVersion(int* version)
{
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    *version = 12000;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuDeviceGetCount(int* count)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuDeviceGet(CUdevice* device, int ordinal)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuDeviceGetName(char* name, int length, CUdevice device)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || length <= 0) return CUDA_ERROR_INVALID_VALUE;
    std::strncpy(name, "GpuNet host emulator", static_cast<std::size_t>(length) - 1);
    name[length - 1] = '\0';
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuCtxCreate_v2(Context** context, unsigned /*flags*/, CUdevice device)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!context) return CUDA_ERROR_INVALID_VALUE;
    *context = new Context{device};
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuCtxDestroy_v2(Context* context)
{
    if (!context) return CUDA_ERROR_INVALID_CONTEXT;
    delete context;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuCtxSetCurrent(Context* /*context*/) { return initialized ? CUDA_SUCCESS : CUDA_ERROR_NOT_INITIALIZED; }

GPUNET_EXPORT CUresult cuCtxSynchronize() { return initialized ? CUDA_SUCCESS : CUDA_ERROR_NOT_INITIALIZED; }

GPUNET_EXPORT CUresult cuModuleLoadData(Module** module, const void* image)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    std::string text(static_cast<const char*>(image));
    if (text.find(".version") == std::string::npos || text.find(".target") == std::string::npos) return CUDA_ERROR_INVALID_IMAGE;
    *module = new Module{std::move(text)};
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuModuleUnload(Module* module)
{
    if (!module) return CUDA_ERROR_INVALID_HANDLE;
    delete module;
    return CUDA_SUCCESS;
}

// The name must be an entry of the loaded PTX and a kernel the emulator was built with.
GPUNET_EXPORT CUresult cuModuleGetFunction(Function** function, Module* module, const char* name)
{
    if (!function || !module || !name) return CUDA_ERROR_INVALID_VALUE;
    if (module->image.find(".entry " + std::string(name) + "(") == std::string::npos) return CUDA_ERROR_NOT_FOUND;
    const gpunet_emulator::KernelEntry* entry = gpunet_emulator::find_kernel(name);
    if (!entry) return CUDA_ERROR_NOT_FOUND;
    *function = new Function{entry};
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuStreamCreate(Stream** stream, unsigned /*flags*/)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!stream) return CUDA_ERROR_INVALID_VALUE;
    *stream = new Stream{0};
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuStreamDestroy_v2(Stream* stream)
{
    if (!stream) return CUDA_ERROR_INVALID_HANDLE;
    delete stream;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuStreamSynchronize(Stream* /*stream*/) { return CUDA_SUCCESS; }

GPUNET_EXPORT CUresult cuMemGetInfo_v2(std::size_t* free, std::size_t* total)
{
    if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> guard(lock);
    *total = total_memory();
    *free = *total > allocated ? *total - allocated : 0;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* pointer, std::size_t bytes)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!pointer || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> guard(lock);
    if (bytes > total_memory() - allocated) return CUDA_ERROR_OUT_OF_MEMORY;
    // cudaMalloc's alignment: 256 bytes.
    void* memory = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!memory) return CUDA_ERROR_OUT_OF_MEMORY;
    *pointer = reinterpret_cast<CUdeviceptr>(memory);
    allocations[*pointer] = bytes;
    allocated += bytes;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer)
{
    std::lock_guard<std::mutex> guard(lock);
    auto found = allocations.find(pointer);
    if (found == allocations.end()) return CUDA_ERROR_INVALID_VALUE;
    allocated -= found->second;
    allocations.erase(found);
    std::free(reinterpret_cast<void*>(pointer));
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void* source, std::size_t bytes, Stream* /*stream*/)
{
    if (bytes == 0) return CUDA_SUCCESS;
    if (!source || !inside_allocation(destination, bytes)) return CUDA_ERROR_INVALID_VALUE;
    std::memcpy(reinterpret_cast<void*>(destination), source, bytes);
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuMemcpyDtoHAsync_v2(void* destination, CUdeviceptr source, std::size_t bytes, Stream* /*stream*/)
{
    if (bytes == 0) return CUDA_SUCCESS;
    if (!destination || !inside_allocation(source, bytes)) return CUDA_ERROR_INVALID_VALUE;
    std::memcpy(destination, reinterpret_cast<const void*>(source), bytes);
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void* source, std::size_t bytes)
{
    return cuMemcpyHtoDAsync_v2(destination, source, bytes, nullptr);
}

GPUNET_EXPORT CUresult cuMemcpyDtoH_v2(void* destination, CUdeviceptr source, std::size_t bytes)
{
    return cuMemcpyDtoHAsync_v2(destination, source, bytes, nullptr);
}

GPUNET_EXPORT CUresult cuMemsetD32Async(CUdeviceptr destination, unsigned value, std::size_t count, Stream* /*stream*/)
{
    if (count == 0) return CUDA_SUCCESS;
    if (destination % 4 != 0 || !inside_allocation(destination, count * 4)) return CUDA_ERROR_INVALID_VALUE;
    auto* words = reinterpret_cast<std::uint32_t*>(destination);
    for (std::size_t i = 0; i < count; i++) words[i] = value;
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuMemsetD32_v2(CUdeviceptr destination, unsigned value, std::size_t count)
{
    return cuMemsetD32Async(destination, value, count, nullptr);
}

GPUNET_EXPORT CUresult cuLaunchKernel(Function* function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                                      unsigned block_x, unsigned block_y, unsigned block_z, unsigned shared_bytes,
                                      Stream* /*stream*/, void** parameters, void** extra)
{
    if (!function) return CUDA_ERROR_INVALID_HANDLE;
    if (extra || !parameters) return CUDA_ERROR_INVALID_VALUE;
    if (grid_x == 0 || grid_y == 0 || grid_z == 0 || block_x == 0 || block_y == 0 || block_z == 0) return CUDA_ERROR_INVALID_VALUE;
    // The limits of every GPU since compute capability 3.0.
    if (grid_y > 65535 || grid_z > 65535 || block_z > 64) return CUDA_ERROR_INVALID_VALUE;
    if (static_cast<unsigned long long>(block_x) * block_y * block_z > 1024) return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    if (shared_bytes > 48 * 1024) return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    gpunet_emulator::LaunchShape shape{grid_x, grid_y, grid_z, block_x, block_y, block_z, shared_bytes};
    std::lock_guard<std::mutex> guard(launch_lock);
    function->entry->launch(parameters, shape);
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuGetErrorName(CUresult error, const char** name)
{
    if (!name) return CUDA_ERROR_INVALID_VALUE;
    switch (error)
    {
        case CUDA_SUCCESS: *name = "CUDA_SUCCESS"; break;
        case CUDA_ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; break;
        case CUDA_ERROR_OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; break;
        case CUDA_ERROR_NOT_INITIALIZED: *name = "CUDA_ERROR_NOT_INITIALIZED"; break;
        case CUDA_ERROR_INVALID_DEVICE: *name = "CUDA_ERROR_INVALID_DEVICE"; break;
        case CUDA_ERROR_INVALID_IMAGE: *name = "CUDA_ERROR_INVALID_IMAGE"; break;
        case CUDA_ERROR_INVALID_CONTEXT: *name = "CUDA_ERROR_INVALID_CONTEXT"; break;
        case CUDA_ERROR_INVALID_HANDLE: *name = "CUDA_ERROR_INVALID_HANDLE"; break;
        case CUDA_ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; break;
        case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: *name = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"; break;
        default: *name = nullptr; return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

GPUNET_EXPORT CUresult cuGetErrorString(CUresult error, const char** text)
{
    if (!text) return CUDA_ERROR_INVALID_VALUE;
    switch (error)
    {
        case CUDA_SUCCESS: *text = "no error"; break;
        case CUDA_ERROR_INVALID_VALUE: *text = "invalid argument"; break;
        case CUDA_ERROR_OUT_OF_MEMORY: *text = "out of memory"; break;
        case CUDA_ERROR_NOT_INITIALIZED: *text = "initialization error"; break;
        case CUDA_ERROR_INVALID_DEVICE: *text = "invalid device ordinal"; break;
        case CUDA_ERROR_INVALID_IMAGE: *text = "device kernel image is invalid"; break;
        case CUDA_ERROR_INVALID_CONTEXT: *text = "invalid device context"; break;
        case CUDA_ERROR_INVALID_HANDLE: *text = "invalid resource handle"; break;
        case CUDA_ERROR_NOT_FOUND: *text = "named symbol not found"; break;
        case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: *text = "too many resources requested for launch"; break;
        default: *text = nullptr; return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}
