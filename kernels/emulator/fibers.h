// Cooperative user-level threads for the emulator: the threads of one CUDA block, switched by
// hand at __syncthreads. On x86-64 a switch saves the callee-saved registers and swaps stacks
// (a few nanoseconds); elsewhere, or built with -DGPUNET_EMULATOR_UCONTEXT, it uses ucontext,
// which is correct but slower (glibc's swapcontext makes a system call to save the signal mask).
#pragma once
#include <cstddef>

namespace gpunet_emulator
{
    struct Fiber
    {
        void* stack_pointer = nullptr;   // saved while suspended (x86-64)
        void* native = nullptr;          // ucontext_t (fallback)
        bool done = false;
    };

    // Prepares fiber to run entry() on the stack [stack, stack + size) when first resumed.
    void fiber_prepare(Fiber& fiber, char* stack, std::size_t size, void (*entry)());

    // Saves the running context into *from_stack_pointer / from and resumes to.
    void fiber_switch(Fiber& from, Fiber& to);
}
