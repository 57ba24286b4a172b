// Runs one kernel launch on the host: blocks one after another, the threads of a block either
// in a plain loop (kernels that never call __syncthreads) or as fibers with a real barrier.
#pragma once
#include <cstddef>

namespace gpunet_emulator
{
    struct LaunchShape
    {
        unsigned grid_x, grid_y, grid_z;
        unsigned block_x, block_y, block_z;
        std::size_t shared_bytes;
    };

    // Calls body(context) once per CUDA thread of the launch, with threadIdx etc. set.
    // Not reentrant: the caller holds the launch lock.
    void run_grid(const LaunchShape& shape, bool cooperative, void (*body)(void*), void* context);
}
