// The host side of gpunet_device.h: what the kernel sources need from CUDA when g++ compiles
// them for the emulator. Blocks run one after another; the threads of a block run as
// cooperative user-level threads (fibers) on one OS thread, switching only at __syncthreads,
// which is therefore a real barrier. Launches are serialised process-wide (one device, one
// queue), so threadIdx and friends are plain globals and __shared__ is a static variable,
// shared by the fibers of the running block.
#pragma once

struct gpunet_dim3
{
    unsigned x, y, z;
};

extern gpunet_dim3 threadIdx;
extern gpunet_dim3 blockIdx;
extern gpunet_dim3 blockDim;
extern gpunet_dim3 gridDim;

// Waits until every thread of the block has arrived; aborts in a kernel registered as barrier-free.
void gpunet_emulator_syncthreads();

// The launch's dynamic shared memory (sharedMemBytes of cuLaunchKernel).
void* gpunet_emulator_dynamic_shared();

// Real atomics, although the fibers of a block never run at once: the sources stay honest.
template <typename T>
static inline T gpunet_atomic_add_floating(T* address, T value)
{
    T old, desired;
    __atomic_load(address, &old, __ATOMIC_RELAXED);
    do { desired = old + value; } while (!__atomic_compare_exchange(address, &old, &desired, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
    return old;
}

static inline float gpunet_atomic_add(float* address, float value) { return gpunet_atomic_add_floating(address, value); }
static inline double gpunet_atomic_add(double* address, double value) { return gpunet_atomic_add_floating(address, value); }

static inline int gpunet_atomic_add(int* address, int value) { return __atomic_fetch_add(address, value, __ATOMIC_SEQ_CST); }
