// Inverted dropout with a counter-based mask: element i is kept iff Philox.Uniform(seed,
// stream, i) >= rate, with Philox4x32-10 exactly as src/GpuNet/Random/Philox.cs, so the GPU,
// the emulator and the CPU draw bit-identical masks. A thread per Philox block of 4 elements.
#include "gpunet_device.h"

struct philox_block { gpunet_u32 x0, x1, x2, x3; };

GPUNET_DEVICE philox_block philox4x32_10(gpunet_u32 c0, gpunet_u32 c1, gpunet_u32 c2, gpunet_u32 c3, gpunet_u32 k0, gpunet_u32 k1)
{
    for (int round = 0; round < 10; round++)
    {
        gpunet_u64 product_a = (gpunet_u64)0xD2511F53u * c0;
        gpunet_u64 product_b = (gpunet_u64)0xCD9E8D57u * c2;
        gpunet_u32 hi_a = (gpunet_u32)(product_a >> 32), lo_a = (gpunet_u32)product_a;
        gpunet_u32 hi_b = (gpunet_u32)(product_b >> 32), lo_b = (gpunet_u32)product_b;
        gpunet_u32 n0 = hi_b ^ c1 ^ k0, n2 = hi_a ^ c3 ^ k1;
        c0 = n0; c1 = lo_b; c2 = n2; c3 = lo_a;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    philox_block result = { c0, c1, c2, c3 };
    return result;
}

GPUNET_DEVICE float dropout_keep(gpunet_u32 bits, float rate, float scale)
{
    return (float)(bits >> 8) * (1.0f / 16777216.0f) >= rate ? scale : 0.0f;
}

// scale = 1 / (1 − rate), computed once on the host in float as the CPU does.
GPUNET_KERNEL gpunet_dropout_forward(const float* x, int length, float rate, float scale, gpunet_u64 seed, gpunet_u64 stream, float* y, float* mask)
{
    long long blocks = ((long long)length + 3) / 4;
    for (long long block = gpunet_global_index(); block < blocks; block += gpunet_grid_stride())
    {
        philox_block bits = philox4x32_10((gpunet_u32)block, (gpunet_u32)((gpunet_u64)block >> 32), (gpunet_u32)stream, (gpunet_u32)(stream >> 32),
                                          (gpunet_u32)seed, (gpunet_u32)(seed >> 32));
        gpunet_u32 lanes[4] = { bits.x0, bits.x1, bits.x2, bits.x3 };
        for (int lane = 0; lane < 4; lane++)
        {
            long long i = block * 4 + lane;
            if (i >= length) break;
            float keep = dropout_keep(lanes[lane], rate, scale);
            mask[i] = keep;
            y[i] = x[i] * keep;
        }
    }
}

GPUNET_KERNEL gpunet_dropout_backward(const float* dy, const float* mask, int length, float* dx)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride()) dx[i] += dy[i] * mask[i];
}
