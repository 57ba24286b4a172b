// The optimizers' fused elementwise updates, as Keras 2's optimizers.py (and CpuOptimizers).
// Scalars that depend only on the step come from the host as kernel parameters.
#include "gpunet_device.h"

// velocity may be null: plain SGD, w −= lr·g.
GPUNET_KERNEL gpunet_sgd_update(const float* gradient, int length, float learning_rate, float momentum, int nesterov, float* parameter, float* velocity)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = gradient[i];
        if (!velocity)
        {
            parameter[i] -= learning_rate * g;
            continue;
        }
        float v = momentum * velocity[i] - learning_rate * g;
        velocity[i] = v;
        parameter[i] += nesterov ? momentum * v - learning_rate * g : v;
    }
}

GPUNET_KERNEL gpunet_adagrad_update(const float* gradient, int length, float learning_rate, float epsilon, float* parameter, float* accumulator)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = gradient[i];
        float a = accumulator[i] + g * g;
        accumulator[i] = a;
        parameter[i] -= learning_rate * g / (gpunet_sqrtf(a) + epsilon);
    }
}

GPUNET_KERNEL gpunet_adadelta_update(const float* gradient, int length, float learning_rate, float rho, float epsilon,
                                     float* parameter, float* accumulator, float* delta_accumulator)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = gradient[i];
        float a = rho * accumulator[i] + (1.0f - rho) * g * g;
        accumulator[i] = a;
        float update = g * gpunet_sqrtf(delta_accumulator[i] + epsilon) / gpunet_sqrtf(a + epsilon);
        parameter[i] -= learning_rate * update;
        delta_accumulator[i] = rho * delta_accumulator[i] + (1.0f - rho) * update * update;
    }
}

GPUNET_KERNEL gpunet_rmsprop_update(const float* gradient, int length, float learning_rate, float rho, float epsilon, float* parameter, float* accumulator)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = gradient[i];
        float a = rho * accumulator[i] + (1.0f - rho) * g * g;
        accumulator[i] = a;
        parameter[i] -= learning_rate * g / (gpunet_sqrtf(a) + epsilon);
    }
}

GPUNET_KERNEL gpunet_adam_update(const float* gradient, int length, float corrected_learning_rate, float beta1, float beta2, float epsilon,
                                 float* parameter, float* first_moment, float* second_moment)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = gradient[i];
        float m = beta1 * first_moment[i] + (1.0f - beta1) * g;
        float v = beta2 * second_moment[i] + (1.0f - beta2) * g * g;
        first_moment[i] = m;
        second_moment[i] = v;
        parameter[i] -= corrected_learning_rate * m / (gpunet_sqrtf(v) + epsilon);
    }
}

GPUNET_KERNEL gpunet_adamax_update(const float* gradient, int length, float corrected_learning_rate, float beta1, float beta2, float epsilon,
                                   float* parameter, float* first_moment, float* infinity_norm)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = gradient[i];
        float m = beta1 * first_moment[i] + (1.0f - beta1) * g;
        float u = gpunet_fmaxf(beta2 * infinity_norm[i], gpunet_fabsf(g));
        first_moment[i] = m;
        infinity_norm[i] = u;
        parameter[i] -= corrected_learning_rate * m / (u + epsilon);
    }
}

// The fields of IAccelerator's NadamScalars, in order, passed by value.
struct gpunet_nadam_scalars
{
    float learning_rate, beta1, beta2, epsilon;
    float momentum_cache, next_momentum_cache, schedule_product, next_schedule_product, second_moment_correction;
};

GPUNET_KERNEL gpunet_nadam_update(const float* gradient, int length, gpunet_nadam_scalars s, float* parameter, float* first_moment, float* second_moment)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = gradient[i];
        float g_prime = g / (1.0f - s.schedule_product);
        float m = s.beta1 * first_moment[i] + (1.0f - s.beta1) * g;
        first_moment[i] = m;
        float m_prime = m / (1.0f - s.next_schedule_product);
        float v = s.beta2 * second_moment[i] + (1.0f - s.beta2) * g * g;
        second_moment[i] = v;
        float v_prime = v / s.second_moment_correction;
        float m_bar = (1.0f - s.momentum_cache) * g_prime + s.next_momentum_cache * m_prime;
        parameter[i] -= s.learning_rate * m_bar / (gpunet_sqrtf(v_prime) + s.epsilon);
    }
}

// gradient += l1·sign(w) + 2·l2·w.
GPUNET_KERNEL gpunet_penalty_gradient(const float* parameter, int length, float l1, float l2, float* gradient)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float w = parameter[i];
        float sign = w > 0.0f ? 1.0f : (w < 0.0f ? -1.0f : 0.0f);
        gradient[i] += l1 * sign + 2.0f * l2 * w;
    }
}
