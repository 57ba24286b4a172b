// Row-wise softmax and the per-sample losses with their gradients. A thread per row: rows are
// short (classes), and each row is then summed in the CPU reference's order.
#include "gpunet_device.h"

// The order of IAccelerator's LossKind.
#define LOSS_MEAN_SQUARED_ERROR 0
#define LOSS_BINARY_CROSS_ENTROPY 1
#define LOSS_CATEGORICAL_CROSS_ENTROPY 2
#define LOSS_SOFTMAX_CROSS_ENTROPY 3

// Keras's backend epsilon: probabilities are clipped to [ε, 1 − ε] before a logarithm.
#define LOSS_EPSILON 1e-7f

GPUNET_DEVICE float row_max(const float* x, int cols)
{
    float max = -__builtin_inff();
    for (int c = 0; c < cols; c++) max = gpunet_fmaxf(max, x[c]);
    return max;
}

GPUNET_DEVICE float row_sum(const float* x, int cols)
{
    float sum = 0.0f;
    for (int c = 0; c < cols; c++) sum += x[c];
    return sum;
}

GPUNET_DEVICE float log_sum_exp(const float* z, int cols)
{
    float max = row_max(z, cols), sum = 0.0f;
    for (int c = 0; c < cols; c++) sum += gpunet_expf(z[c] - max);
    return max + gpunet_logf(sum);
}

GPUNET_DEVICE float clip_probability(float p)
{
    return p < LOSS_EPSILON ? LOSS_EPSILON : (p > 1.0f - LOSS_EPSILON ? 1.0f - LOSS_EPSILON : p);
}

GPUNET_KERNEL gpunet_softmax_forward(const float* x, int rows, int cols, float* y)
{
    for (int r = gpunet_global_index(); r < rows; r += gpunet_grid_stride())
    {
        const float* in = x + (long long)r * cols;
        float* out = y + (long long)r * cols;
        float max = row_max(in, cols), sum = 0.0f;
        for (int c = 0; c < cols; c++)
        {
            out[c] = gpunet_expf(in[c] - max);
            sum += out[c];
        }
        float inverse = 1.0f / sum;
        for (int c = 0; c < cols; c++) out[c] *= inverse;
    }
}

GPUNET_KERNEL gpunet_softmax_backward(const float* y, const float* dy, int rows, int cols, float* dx)
{
    for (int r = gpunet_global_index(); r < rows; r += gpunet_grid_stride())
    {
        long long offset = (long long)r * cols;
        float dot = 0.0f;
        for (int c = 0; c < cols; c++) dot += dy[offset + c] * y[offset + c];
        for (int c = 0; c < cols; c++) dx[offset + c] += y[offset + c] * (dy[offset + c] - dot);
    }
}

GPUNET_KERNEL gpunet_loss_forward(int kind, const float* prediction, const float* target, int rows, int cols, float* loss_per_sample)
{
    for (int r = gpunet_global_index(); r < rows; r += gpunet_grid_stride())
    {
        const float* p = prediction + (long long)r * cols;
        const float* t = target + (long long)r * cols;
        float loss = 0.0f;
        switch (kind)
        {
            case LOSS_MEAN_SQUARED_ERROR:
                for (int c = 0; c < cols; c++) loss += (p[c] - t[c]) * (p[c] - t[c]);
                loss /= (float)cols;
                break;
            case LOSS_BINARY_CROSS_ENTROPY:
                for (int c = 0; c < cols; c++)
                {
                    float q = clip_probability(p[c]);
                    loss -= t[c] * gpunet_logf(q) + (1.0f - t[c]) * gpunet_logf(1.0f - q);
                }
                loss /= (float)cols;
                break;
            case LOSS_CATEGORICAL_CROSS_ENTROPY:
            {
                // Keras first rescales the prediction so each row sums to one, then clips.
                float total = row_sum(p, cols);
                for (int c = 0; c < cols; c++) loss -= t[c] * gpunet_logf(clip_probability(p[c] / total));
                break;
            }
            default:
            {
                // −Σ t·log softmax(z) = Σ t·(logsumexp(z) − z), exact for any logits.
                float lse = log_sum_exp(p, cols);
                for (int c = 0; c < cols; c++) loss += t[c] * (lse - p[c]);
                break;
            }
        }
        loss_per_sample[r] = loss;
    }
}

GPUNET_KERNEL gpunet_loss_backward(int kind, const float* prediction, const float* target, int rows, int cols, float scale, float* d_prediction)
{
    for (int r = gpunet_global_index(); r < rows; r += gpunet_grid_stride())
    {
        const float* p = prediction + (long long)r * cols;
        const float* t = target + (long long)r * cols;
        float* dp = d_prediction + (long long)r * cols;
        switch (kind)
        {
            case LOSS_MEAN_SQUARED_ERROR:
                for (int c = 0; c < cols; c++) dp[c] += scale * 2.0f * (p[c] - t[c]) / (float)cols;
                break;
            case LOSS_BINARY_CROSS_ENTROPY:
                for (int c = 0; c < cols; c++)
                {
                    // Clipping has zero slope outside [ε, 1 − ε], as in Keras.
                    if (p[c] < LOSS_EPSILON || p[c] > 1.0f - LOSS_EPSILON) continue;
                    dp[c] += scale * (p[c] - t[c]) / (p[c] * (1.0f - p[c])) / (float)cols;
                }
                break;
            case LOSS_CATEGORICAL_CROSS_ENTROPY:
            {
                float total = row_sum(p, cols), target_total = row_sum(t, cols);
                for (int c = 0; c < cols; c++)
                {
                    float q = p[c] / total;
                    float direct = q < LOSS_EPSILON || q > 1.0f - LOSS_EPSILON ? 0.0f : -t[c] / p[c];
                    dp[c] += scale * (direct + target_total / total);
                }
                break;
            }
            default:
            {
                float lse = log_sum_exp(p, cols), target_total = row_sum(t, cols);
                for (int c = 0; c < cols; c++) dp[c] += scale * (gpunet_expf(p[c] - lse) * target_total - t[c]);
                break;
            }
        }
    }
}
