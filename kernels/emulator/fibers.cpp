#include "fibers.h"
#include <cstdint>
#include <cstdlib>

#if defined(__x86_64__) && !defined(GPUNET_EMULATOR_UCONTEXT)

// gpunet_fiber_switch(void** save, void* load): push the callee-saved registers, store the
// stack pointer in *save, load the other stack, pop its registers and return into it.
asm(R"(
    .text
    .p2align 4
    .hidden gpunet_fiber_switch
    .globl gpunet_fiber_switch
    .type gpunet_fiber_switch, @function
gpunet_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size gpunet_fiber_switch, .-gpunet_fiber_switch
)");

extern "C" void gpunet_fiber_switch(void** save, void* load);

namespace gpunet_emulator
{
    void fiber_prepare(Fiber& fiber, char* stack, std::size_t size, void (*entry)())
    {
        // The first switch pops six zero registers and "returns" into entry with the stack
        // 8 bytes below a 16-byte boundary, as after a call instruction.
        auto top = reinterpret_cast<std::uintptr_t>(stack + size) & ~static_cast<std::uintptr_t>(15);
        auto* slot = reinterpret_cast<std::uint64_t*>(top);
        *--slot = 0;
        *--slot = reinterpret_cast<std::uint64_t>(entry);
        for (int i = 0; i < 6; i++) *--slot = 0;
        fiber.stack_pointer = slot;
        fiber.done = false;
    }

    void fiber_switch(Fiber& from, Fiber& to) { gpunet_fiber_switch(&from.stack_pointer, to.stack_pointer); }
}

#else

#include <ucontext.h>

namespace gpunet_emulator
{
    static ucontext_t* context_of(Fiber& fiber)
    {
        if (!fiber.native) fiber.native = std::calloc(1, sizeof(ucontext_t));
        return static_cast<ucontext_t*>(fiber.native);
    }

    void fiber_prepare(Fiber& fiber, char* stack, std::size_t size, void (*entry)())
    {
        ucontext_t* context = context_of(fiber);
        getcontext(context);
        context->uc_stack.ss_sp = stack;
        context->uc_stack.ss_size = size;
        context->uc_link = nullptr;
        makecontext(context, entry, 0);
        fiber.done = false;
    }

    void fiber_switch(Fiber& from, Fiber& to) { swapcontext(context_of(from), context_of(to)); }
}

#endif
