#include "grid.h"
#include "fibers.h"
#include "gpunet_emulator.h"
#include <cstdio>
#include <cstdlib>
#include <vector>

gpunet_dim3 threadIdx;
gpunet_dim3 blockIdx;
gpunet_dim3 blockDim;
gpunet_dim3 gridDim;

namespace gpunet_emulator
{
    namespace
    {
        // 64 KiB of stack per CUDA thread; kernels keep a few registers' worth of locals.
        constexpr std::size_t StackBytes = 64 * 1024;

        struct BlockState
        {
            void (*body)(void*) = nullptr;
            void* context = nullptr;
            bool cooperative = false;
            std::vector<Fiber> fibers;
            std::vector<gpunet_dim3> indices;
            std::vector<char> stacks;
            Fiber scheduler;
            std::size_t current = 0;
            std::vector<char> dynamic_shared;
        };

        BlockState state;

        void fiber_entry()
        {
            state.body(state.context);
            Fiber& self = state.fibers[state.current];
            self.done = true;
            fiber_switch(self, state.scheduler);
            std::abort(); // a finished fiber is never resumed
        }

        gpunet_dim3 thread_index(const LaunchShape& shape, std::size_t linear)
        {
            return {static_cast<unsigned>(linear % shape.block_x),
                    static_cast<unsigned>(linear / shape.block_x % shape.block_y),
                    static_cast<unsigned>(linear / (static_cast<std::size_t>(shape.block_x) * shape.block_y))};
        }

        void run_block_cooperatively(std::size_t threads)
        {
            if (state.fibers.size() < threads)
            {
                state.fibers.resize(threads);
                state.stacks.resize(threads * StackBytes);
            }
            for (std::size_t t = 0; t < threads; t++) fiber_prepare(state.fibers[t], state.stacks.data() + t * StackBytes, StackBytes, fiber_entry);
            // Each round resumes every live thread once; it runs to its next barrier or its end,
            // so a round ends exactly when all live threads have reached the barrier.
            for (;;)
            {
                std::size_t waiting = 0;
                for (std::size_t t = 0; t < threads; t++)
                {
                    if (state.fibers[t].done) continue;
                    state.current = t;
                    threadIdx = state.indices[t];
                    fiber_switch(state.scheduler, state.fibers[t]);
                    if (!state.fibers[t].done) waiting++;
                }
                if (waiting == 0) break;
            }
        }
    }

    void run_grid(const LaunchShape& shape, bool cooperative, void (*body)(void*), void* context)
    {
        std::size_t threads = static_cast<std::size_t>(shape.block_x) * shape.block_y * shape.block_z;
        state.body = body;
        state.context = context;
        state.cooperative = cooperative;
        if (state.dynamic_shared.size() < shape.shared_bytes) state.dynamic_shared.resize(shape.shared_bytes);
        state.indices.resize(threads);
        for (std::size_t t = 0; t < threads; t++) state.indices[t] = thread_index(shape, t);
        gridDim = {shape.grid_x, shape.grid_y, shape.grid_z};
        blockDim = {shape.block_x, shape.block_y, shape.block_z};
        for (unsigned z = 0; z < shape.grid_z; z++)
            for (unsigned y = 0; y < shape.grid_y; y++)
                for (unsigned x = 0; x < shape.grid_x; x++)
                {
                    blockIdx = {x, y, z};
                    if (cooperative)
                    {
                        run_block_cooperatively(threads);
                        continue;
                    }
                    for (std::size_t t = 0; t < threads; t++)
                    {
                        threadIdx = state.indices[t];
                        body(context);
                    }
                }
    }
}

void gpunet_emulator_syncthreads()
{
    using namespace gpunet_emulator;
    if (!state.cooperative)
    {
        std::fprintf(stderr, "gpunet emulator: __syncthreads in a kernel registered without a barrier\n");
        std::abort();
    }
    fiber_switch(state.fibers[state.current], state.scheduler);
}

void* gpunet_emulator_dynamic_shared() { return gpunet_emulator::state.dynamic_shared.data(); }
