// Sums that feed the metrics and the weight penalty. Each is one block of
// GPUNET_REDUCE_THREADS threads: a strided partial sum per thread in double, then a tree in
// shared memory, so the result is deterministic. The order differs from the CPU's serial
// loop, so results agree to rounding, not bit for bit.
#include "gpunet_device.h"

// accumulator[index] += Σ values[0..length).
GPUNET_KERNEL gpunet_accumulate_sum(const float* values, int length, int index, float* accumulator)
{
    GPUNET_DYNAMIC_SHARED(double, scratch);
    double sum = 0.0;
    for (int i = (int)threadIdx.x; i < length; i += GPUNET_REDUCE_THREADS) sum += values[i];
    double total = gpunet_block_sum(sum, scratch);
    if (threadIdx.x == 0) accumulator[index] += (float)total;
}

// The first index of the largest value, as numpy's argmax.
GPUNET_DEVICE int arg_max(const float* row, int cols)
{
    int best = 0;
    for (int c = 1; c < cols; c++)
        if (row[c] > row[best]) best = c;
    return best;
}

// accumulator[index] += rows whose arg-max in prediction equals the arg-max in target.
GPUNET_KERNEL gpunet_accumulate_correct(const float* prediction, const float* target, int rows, int cols, int index, float* accumulator)
{
    GPUNET_DYNAMIC_SHARED(double, scratch);
    double correct = 0.0;
    for (int r = (int)threadIdx.x; r < rows; r += GPUNET_REDUCE_THREADS)
    {
        long long offset = (long long)r * cols;
        if (arg_max(prediction + offset, cols) == arg_max(target + offset, cols)) correct += 1.0;
    }
    double total = gpunet_block_sum(correct, scratch);
    if (threadIdx.x == 0) accumulator[index] += (float)(int)total;
}

// accumulator[index] += scale · (l1·Σ|w| + l2·Σw²).
GPUNET_KERNEL gpunet_accumulate_penalty(const float* parameter, int length, float l1, float l2, float scale, int index, float* accumulator)
{
    GPUNET_DYNAMIC_SHARED(double, scratch);
    double abs_sum = 0.0, square_sum = 0.0;
    for (int i = (int)threadIdx.x; i < length; i += GPUNET_REDUCE_THREADS)
    {
        float w = parameter[i];
        abs_sum += gpunet_fabsf(w);
        square_sum += w * w;
    }
    abs_sum = gpunet_block_sum(abs_sum, scratch);
    square_sum = gpunet_block_sum(square_sum, scratch);
    if (threadIdx.x == 0) accumulator[index] += (float)(scale * (l1 * abs_sum + l2 * square_sum));
}
