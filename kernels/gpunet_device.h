// Shared by every kernel source. The same .cu files are compiled two ways:
//  - by clang-14 in CUDA mode without the CUDA toolkit (-nocudainc -nocudalib) into the PTX
//    embedded in GpuNet.Core, where __CUDA_ARCH__ is defined;
//  - by g++ as C++17 into the host emulator (kernels/emulator), which supplies threadIdx,
//    __syncthreads, __shared__ and the atomics.
// Math functions are written out here (no libdevice), so the emulator runs exactly the
// arithmetic the GPU runs.
#pragma once

#ifdef __CUDA_ARCH__
#include <__clang_cuda_builtin_vars.h>
#define GPUNET_KERNEL extern "C" __attribute__((global)) void
#define GPUNET_DEVICE __attribute__((device)) static inline
#define __shared__ __attribute__((shared))
#define GPUNET_DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#define GPUNET_BARRIER() __syncthreads()
GPUNET_DEVICE float gpunet_atomic_add(float* address, float value) { return __nvvm_atom_add_gen_f(address, value); }
GPUNET_DEVICE double gpunet_atomic_add(double* address, double value) { return __nvvm_atom_add_gen_d(address, value); }
GPUNET_DEVICE int gpunet_atomic_add(int* address, int value) { return __nvvm_atom_add_gen_i(address, value); }
GPUNET_DEVICE float gpunet_sqrtf(float x) { return __nvvm_sqrt_rn_f(x); }
GPUNET_DEVICE double gpunet_sqrt(double x) { return __nvvm_sqrt_rn_d(x); }
#else
#include "emulator/gpunet_emulator.h"
#define GPUNET_KERNEL extern "C" void
#define GPUNET_DEVICE static inline
#define __shared__ static
#define GPUNET_DYNAMIC_SHARED(type, name) type* name = static_cast<type*>(gpunet_emulator_dynamic_shared())
#define GPUNET_BARRIER() gpunet_emulator_syncthreads()
#include <cmath>
GPUNET_DEVICE float gpunet_sqrtf(float x) { return std::sqrt(x); }
GPUNET_DEVICE double gpunet_sqrt(double x) { return std::sqrt(x); }
#endif

typedef unsigned long long gpunet_u64;
typedef unsigned int gpunet_u32;

// The geometry of IAccelerator's Window2D, passed by value in the same field order.
struct gpunet_window
{
    int batch, channels, height, width;
    int window_height, window_width, stride_height, stride_width;
    int pad_top, pad_left, output_height, output_width;
};

GPUNET_DEVICE int gpunet_global_index() { return (int)(blockIdx.x * blockDim.x + threadIdx.x); }
GPUNET_DEVICE int gpunet_grid_stride() { return (int)(blockDim.x * gridDim.x); }

GPUNET_DEVICE float gpunet_fabsf(float x) { return __builtin_fabsf(x); }
GPUNET_DEVICE float gpunet_fmaxf(float a, float b) { return __builtin_fmaxf(a, b); }
GPUNET_DEVICE float gpunet_floorf(float x) { return __builtin_floorf(x); }
GPUNET_DEVICE int gpunet_float_bits(float x) { return __builtin_bit_cast(int, x); }
GPUNET_DEVICE float gpunet_bits_float(int x) { return __builtin_bit_cast(float, x); }

// 2^e for -126 <= e <= 127, built from the exponent bits.
GPUNET_DEVICE float gpunet_pow2i(int e) { return gpunet_bits_float((e + 127) << 23); }

// e^x: Cody–Waite reduction x = n·ln2 + r, |r| <= ln2/2, then a degree-7 Taylor polynomial
// (truncation below 6e-9 relative) and a scale by 2^n in two halves so none underflows early.
GPUNET_DEVICE float gpunet_expf(float x)
{
    if (x != x) return x;
    if (x > 88.72283935546875f) return __builtin_inff();
    if (x < -103.97208404541015625f) return 0.0f;
    float n = gpunet_floorf(x * 1.44269502162933349609375f + 0.5f);
    float r = x - n * 0.693145751953125f;
    r = r - n * 1.428606765330187045e-06f;
    float p = 1.984126984e-4f;
    p = p * r + 1.388888889e-3f;
    p = p * r + 8.333333333e-3f;
    p = p * r + 4.166666667e-2f;
    p = p * r + 1.666666667e-1f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int e = (int)n, half = e / 2;
    return p * gpunet_pow2i(half) * gpunet_pow2i(e - half);
}

// ln x: x = m·2^e with m in [√½, √2), ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| < 0.172.
GPUNET_DEVICE float gpunet_logf(float x)
{
    if (x != x || x < 0.0f) return __builtin_nanf("");
    if (x == 0.0f) return -__builtin_inff();
    if (x == __builtin_inff()) return x;
    int e = 0;
    if (x < 1.17549435e-38f) { x *= 8388608.0f; e = -23; }
    int bits = gpunet_float_bits(x);
    e += ((bits >> 23) & 0xff) - 127;
    float m = gpunet_bits_float((bits & 0x007fffff) | 0x3f800000);
    if (m > 1.41421356f) { m *= 0.5f; e += 1; }
    float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
    float p = 1.0f / 11.0f;
    p = p * s2 + 1.0f / 9.0f;
    p = p * s2 + 1.0f / 7.0f;
    p = p * s2 + 0.2f;
    p = p * s2 + 1.0f / 3.0f;
    p = p * s2 + 1.0f;
    float fe = (float)e;
    return fe * 0.693145751953125f + (2.0f * s * p + fe * 1.428606765330187045e-06f);
}

// tanh x: an odd Taylor series near 0 (where 1 − 2/(e^{2x} + 1) would cancel), that form elsewhere.
GPUNET_DEVICE float gpunet_tanhf(float x)
{
    float a = gpunet_fabsf(x);
    float t;
    if (a < 0.125f)
    {
        float a2 = a * a;
        float p = 62.0f / 2835.0f;
        p = p * a2 - 17.0f / 315.0f;
        p = p * a2 + 2.0f / 15.0f;
        p = p * a2 - 1.0f / 3.0f;
        t = a + a * a2 * p;
    }
    else if (a > 9.1f)
    {
        t = 1.0f;
    }
    else
    {
        t = 1.0f - 2.0f / (gpunet_expf(2.0f * a) + 1.0f);
    }
    return x < 0.0f ? -t : t;
}

// Written so that neither branch overflows exp for large |x|, as CpuActivations.Sigmoid.
GPUNET_DEVICE float gpunet_sigmoid(float x)
{
    if (x >= 0.0f) return 1.0f / (1.0f + gpunet_expf(-x));
    float e = gpunet_expf(x);
    return e / (1.0f + e);
}

// Threads per block for the one-block-per-item reductions; a power of two.
#define GPUNET_REDUCE_THREADS 256

// Tree sum in shared memory over GPUNET_REDUCE_THREADS doubles; every thread must call it.
// The result is valid in thread 0. The order is fixed by the block size, so it is deterministic.
GPUNET_DEVICE double gpunet_block_sum(double value, double* scratch)
{
    unsigned t = threadIdx.x;
    scratch[t] = value;
    GPUNET_BARRIER();
    for (unsigned half = GPUNET_REDUCE_THREADS / 2; half > 0; half >>= 1)
    {
        if (t < half) scratch[t] += scratch[t + half];
        GPUNET_BARRIER();
    }
    double total = scratch[0];
    GPUNET_BARRIER();
    return total;
}
