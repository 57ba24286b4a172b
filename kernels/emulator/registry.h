#pragma once
#include "grid.h"

namespace gpunet_emulator
{
    struct KernelEntry
    {
        const char* name;
        void (*launch)(void** parameters, const LaunchShape& shape);
    };

    // The kernel compiled for the host under this extern "C" name, or null.
    const KernelEntry* find_kernel(const char* name);
}
