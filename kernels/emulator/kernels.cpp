// Every kernel family compiled for the host, and the registry that maps each kernel's name to
// a launcher which unpacks cuLaunchKernel's kernelParams (one pointer per argument, as the
// driver takes them) into a typed call. The argument types come from the kernel's own
// signature, so the registry cannot disagree with the sources.
#include "../gemm.cu"
#include "../convolution.cu"
#include "../pooling.cu"
#include "../batchnorm.cu"
#include "../dropout.cu"
#include "../elementwise.cu"
#include "../softmax_loss.cu"
#include "../reductions.cu"
#include "../optimizers.cu"

#include "registry.h"
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

namespace gpunet_emulator
{
    namespace
    {
        template <typename... Arguments>
        struct TypedLaunch
        {
            void (*kernel)(Arguments...);
            std::tuple<std::decay_t<Arguments>...> arguments;

            static void run_thread(void* self)
            {
                auto* launch = static_cast<TypedLaunch*>(self);
                std::apply(launch->kernel, launch->arguments);
            }
        };

        template <typename... Arguments, std::size_t... Index>
        void launch(void (*kernel)(Arguments...), void** parameters, const LaunchShape& shape, bool cooperative, std::index_sequence<Index...>)
        {
            TypedLaunch<Arguments...> typed{kernel, {*static_cast<std::decay_t<Arguments>*>(parameters[Index])...}};
            run_grid(shape, cooperative, &TypedLaunch<Arguments...>::run_thread, &typed);
        }

        template <auto Kernel, bool Cooperative>
        struct Entry;

        template <typename... Arguments, void (*Kernel)(Arguments...), bool Cooperative>
        struct Entry<Kernel, Cooperative>
        {
            static void launch_with(void** parameters, const LaunchShape& shape)
            {
                launch(Kernel, parameters, shape, Cooperative, std::index_sequence_for<Arguments...>{});
            }
        };

// cooperative: the kernel calls __syncthreads, so its threads run as fibers.
#define GPUNET_REGISTER(name, cooperative) {#name, &Entry<&name, cooperative>::launch_with}

        const KernelEntry Registry[] = {
            GPUNET_REGISTER(gpunet_gemm, true),
            GPUNET_REGISTER(gpunet_im2col, false),
            GPUNET_REGISTER(gpunet_col2im, false),
            GPUNET_REGISTER(gpunet_swap_leading_axes, false),
            GPUNET_REGISTER(gpunet_add_channel_bias, false),
            GPUNET_REGISTER(gpunet_channel_bias_gradient, true),
            GPUNET_REGISTER(gpunet_max_pool_forward, false),
            GPUNET_REGISTER(gpunet_max_pool_backward, false),
            GPUNET_REGISTER(gpunet_average_pool_forward, false),
            GPUNET_REGISTER(gpunet_average_pool_backward, false),
            GPUNET_REGISTER(gpunet_l2_pool_forward, false),
            GPUNET_REGISTER(gpunet_l2_pool_backward, false),
            GPUNET_REGISTER(gpunet_batch_norm_forward_training, true),
            GPUNET_REGISTER(gpunet_batch_norm_forward_inference, false),
            GPUNET_REGISTER(gpunet_batch_norm_backward, true),
            GPUNET_REGISTER(gpunet_dropout_forward, false),
            GPUNET_REGISTER(gpunet_dropout_backward, false),
            GPUNET_REGISTER(gpunet_add, false),
            GPUNET_REGISTER(gpunet_add_bias, false),
            GPUNET_REGISTER(gpunet_bias_gradient, false),
            GPUNET_REGISTER(gpunet_activation_forward, false),
            GPUNET_REGISTER(gpunet_activation_backward, false),
            GPUNET_REGISTER(gpunet_prelu_forward, false),
            GPUNET_REGISTER(gpunet_prelu_backward, false),
            GPUNET_REGISTER(gpunet_softmax_forward, false),
            GPUNET_REGISTER(gpunet_softmax_backward, false),
            GPUNET_REGISTER(gpunet_loss_forward, false),
            GPUNET_REGISTER(gpunet_loss_backward, false),
            GPUNET_REGISTER(gpunet_accumulate_sum, true),
            GPUNET_REGISTER(gpunet_accumulate_correct, true),
            GPUNET_REGISTER(gpunet_accumulate_penalty, true),
            GPUNET_REGISTER(gpunet_sgd_update, false),
            GPUNET_REGISTER(gpunet_adagrad_update, false),
            GPUNET_REGISTER(gpunet_adadelta_update, false),
            GPUNET_REGISTER(gpunet_rmsprop_update, false),
            GPUNET_REGISTER(gpunet_adam_update, false),
            GPUNET_REGISTER(gpunet_adamax_update, false),
            GPUNET_REGISTER(gpunet_nadam_update, false),
            GPUNET_REGISTER(gpunet_penalty_gradient, false),
        };
    }

    const KernelEntry* find_kernel(const char* name)
    {
        for (const KernelEntry& entry : Registry)
            if (std::strcmp(entry.name, name) == 0) return &entry;
        return nullptr;
    }
}
