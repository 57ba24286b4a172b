// Elementwise kernels: addition, the dense bias, activations and PReLU. Grid-stride loops, so
// the host may cap the grid. Backward kernels accumulate (dx += …), as IAccelerator requires.
#include "gpunet_device.h"

// The order of IAccelerator's ActivationKind.
#define ACTIVATION_LINEAR 0
#define ACTIVATION_SIGMOID 1
#define ACTIVATION_TANH 2
#define ACTIVATION_RELU 3
#define ACTIVATION_LEAKY_RELU 4

GPUNET_KERNEL gpunet_add(const float* a, const float* b, int length, float* y)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride()) y[i] = a[i] + b[i];
}

// x [rows, cols] += bias [cols] on every row.
GPUNET_KERNEL gpunet_add_bias(const float* bias, int rows, int cols, float* x)
{
    long long length = (long long)rows * cols;
    for (long long i = gpunet_global_index(); i < length; i += gpunet_grid_stride()) x[i] += bias[i % cols];
}

// dBias[c] += Σ_r dy[r, c]: a thread per column, rows summed in order as the CPU does.
GPUNET_KERNEL gpunet_bias_gradient(const float* dy, int rows, int cols, float* d_bias)
{
    for (int c = gpunet_global_index(); c < cols; c += gpunet_grid_stride())
    {
        float sum = d_bias[c];
        for (int r = 0; r < rows; r++) sum += dy[(long long)r * cols + c];
        d_bias[c] = sum;
    }
}

GPUNET_KERNEL gpunet_activation_forward(int kind, float alpha, const float* x, int length, float* y)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float v = x[i];
        switch (kind)
        {
            case ACTIVATION_SIGMOID: y[i] = gpunet_sigmoid(v); break;
            case ACTIVATION_TANH: y[i] = gpunet_tanhf(v); break;
            case ACTIVATION_RELU: y[i] = v > 0.0f ? v : 0.0f; break;
            case ACTIVATION_LEAKY_RELU: y[i] = v > 0.0f ? v : alpha * v; break;
            default: y[i] = v; break;
        }
    }
}

GPUNET_KERNEL gpunet_activation_backward(int kind, float alpha, const float* x, const float* y, const float* dy, int length, float* dx)
{
    for (int i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float g = dy[i];
        switch (kind)
        {
            case ACTIVATION_SIGMOID: dx[i] += g * y[i] * (1.0f - y[i]); break;
            case ACTIVATION_TANH: dx[i] += g * (1.0f - y[i] * y[i]); break;
            case ACTIVATION_RELU: dx[i] += x[i] > 0.0f ? g : 0.0f; break;
            case ACTIVATION_LEAKY_RELU: dx[i] += x[i] > 0.0f ? g : alpha * g; break;
            default: dx[i] += g; break;
        }
    }
}

// y [batch, units] = x for x > 0, alpha[u]·x otherwise.
GPUNET_KERNEL gpunet_prelu_forward(const float* x, const float* alpha, int batch, int units, float* y)
{
    long long length = (long long)batch * units;
    for (long long i = gpunet_global_index(); i < length; i += gpunet_grid_stride())
    {
        float v = x[i];
        y[i] = v > 0.0f ? v : alpha[i % units] * v;
    }
}

// A thread per unit: dx += dy·(x > 0 ? 1 : alpha); dAlpha[u] += Σ_n dy·x where x <= 0, in batch order.
GPUNET_KERNEL gpunet_prelu_backward(const float* x, const float* alpha, const float* dy, int batch, int units, float* dx, float* d_alpha)
{
    for (int u = gpunet_global_index(); u < units; u += gpunet_grid_stride())
    {
        float sum = 0.0f;
        for (int n = 0; n < batch; n++)
        {
            long long i = (long long)n * units + u;
            float v = x[i];
            if (v > 0.0f)
            {
                if (dx) dx[i] += dy[i];
            }
            else
            {
                sum += dy[i] * v;
                if (dx) dx[i] += alpha[u] * dy[i];
            }
        }
        d_alpha[u] += sum;
    }
}
