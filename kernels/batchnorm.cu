// Batch normalization over x [batch, channels, spatial]. Training and backward: a block per
// channel, its statistics reduced in double (two passes for the variance, as the CPU does).
// Inference: a thread per element. A null gamma stands for ones, a null beta for zeros.
#include "gpunet_device.h"

GPUNET_KERNEL gpunet_batch_norm_forward_training(const float* x, const float* gamma, const float* beta, int batch, int channels, int spatial,
                                                 float momentum, float epsilon, float* y, float* saved, float* moving_mean, float* moving_variance)
{
    GPUNET_DYNAMIC_SHARED(double, scratch);
    int c = (int)blockIdx.x;
    long long count = (long long)batch * spatial;
    double sum = 0.0;
    for (long long e = threadIdx.x; e < count; e += GPUNET_REDUCE_THREADS)
        sum += x[((e / spatial) * channels + c) * spatial + e % spatial];
    double mean = gpunet_block_sum(sum, scratch) / (double)count;
    double squares = 0.0;
    for (long long e = threadIdx.x; e < count; e += GPUNET_REDUCE_THREADS)
    {
        double d = x[((e / spatial) * channels + c) * spatial + e % spatial] - mean;
        squares += d * d;
    }
    double variance = gpunet_block_sum(squares, scratch) / (double)count;
    float inverse_std = (float)(1.0 / gpunet_sqrt(variance + epsilon));
    if (threadIdx.x == 0)
    {
        saved[c] = (float)mean;
        saved[channels + c] = inverse_std;
        moving_mean[c] = moving_mean[c] * momentum + (float)mean * (1.0f - momentum);
        moving_variance[c] = moving_variance[c] * momentum + (float)variance * (1.0f - momentum);
    }
    float scale = (gamma ? gamma[c] : 1.0f) * inverse_std;
    float shift = (beta ? beta[c] : 0.0f) - (float)mean * scale;
    for (long long e = threadIdx.x; e < count; e += GPUNET_REDUCE_THREADS)
    {
        long long i = ((e / spatial) * channels + c) * spatial + e % spatial;
        y[i] = x[i] * scale + shift;
    }
}

GPUNET_KERNEL gpunet_batch_norm_forward_inference(const float* x, const float* gamma, const float* beta, const float* moving_mean, const float* moving_variance,
                                                  int batch, int channels, int spatial, float epsilon, float* y)
{
    long long length = (long long)batch * channels * spatial;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride())
    {
        int c = (int)(e / spatial % channels);
        float inverse_std = 1.0f / gpunet_sqrtf(moving_variance[c] + epsilon);
        float scale = (gamma ? gamma[c] : 1.0f) * inverse_std;
        float shift = (beta ? beta[c] : 0.0f) - moving_mean[c] * scale;
        y[e] = x[e] * scale + shift;
    }
}

// dx += γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), dGamma += Σ dy·x̂, dBeta += Σ dy; null outputs skipped.
GPUNET_KERNEL gpunet_batch_norm_backward(const float* x, const float* gamma, const float* saved, const float* dy, int batch, int channels, int spatial,
                                         float* dx, float* d_gamma, float* d_beta)
{
    GPUNET_DYNAMIC_SHARED(double, scratch);
    int c = (int)blockIdx.x;
    long long count = (long long)batch * spatial;
    float mean = saved[c], inverse_std = saved[channels + c];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (long long e = threadIdx.x; e < count; e += GPUNET_REDUCE_THREADS)
    {
        long long i = ((e / spatial) * channels + c) * spatial + e % spatial;
        float g = dy[i];
        sum_dy += g;
        sum_dy_xhat += g * (x[i] - mean) * inverse_std;
    }
    sum_dy = gpunet_block_sum(sum_dy, scratch);
    sum_dy_xhat = gpunet_block_sum(sum_dy_xhat, scratch);
    if (threadIdx.x == 0)
    {
        if (d_beta) d_beta[c] += (float)sum_dy;
        if (d_gamma) d_gamma[c] += (float)sum_dy_xhat;
    }
    if (!dx) return;
    float scale = (gamma ? gamma[c] : 1.0f) * inverse_std;
    float mean_dy = (float)(sum_dy / (double)count), mean_dy_xhat = (float)(sum_dy_xhat / (double)count);
    for (long long e = threadIdx.x; e < count; e += GPUNET_REDUCE_THREADS)
    {
        long long i = ((e / spatial) * channels + c) * spatial + e % spatial;
        float xhat = (x[i] - mean) * inverse_std;
        dx[i] += scale * (dy[i] - mean_dy - xhat * mean_dy_xhat);
    }
}
