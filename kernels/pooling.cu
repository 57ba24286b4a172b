// Max, average and L2 pooling over NCHW images. Windows are clipped to the image: padding is
// left out, never read as zeros. Forward: a thread per output element. Backward: a thread per
// (image, channel) plane, walking its outputs in the CPU reference's order, so overlapping
// windows never have two threads on one pixel.
#include "gpunet_device.h"

GPUNET_DEVICE int window_first_row(const gpunet_window& g, int oh) { int s = oh * g.stride_height - g.pad_top; return s > 0 ? s : 0; }
GPUNET_DEVICE int window_end_row(const gpunet_window& g, int oh) { int e = oh * g.stride_height - g.pad_top + g.window_height; return e < g.height ? e : g.height; }
GPUNET_DEVICE int window_first_column(const gpunet_window& g, int ow) { int s = ow * g.stride_width - g.pad_left; return s > 0 ? s : 0; }
GPUNET_DEVICE int window_end_column(const gpunet_window& g, int ow) { int e = ow * g.stride_width - g.pad_left + g.window_width; return e < g.width ? e : g.width; }

GPUNET_KERNEL gpunet_max_pool_forward(const float* x, gpunet_window g, float* y, float* argmax)
{
    int output_plane = g.output_height * g.output_width;
    long long length = (long long)g.batch * g.channels * output_plane;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride())
    {
        long long plane = e / output_plane;
        int o = (int)(e % output_plane), oh = o / g.output_width, ow = o % g.output_width;
        const float* input = x + plane * g.height * g.width;
        int h0 = window_first_row(g, oh), h1 = window_end_row(g, oh), w0 = window_first_column(g, ow), w1 = window_end_column(g, ow);
        // Strict '>' from the first element keeps the first maximum on ties, in row-major window order.
        int best = h0 * g.width + w0;
        float best_value = input[best];
        for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++)
            {
                float value = input[h * g.width + w];
                if (value > best_value) { best_value = value; best = h * g.width + w; }
            }
        y[e] = best_value;
        argmax[e] = (float)best;
    }
}

GPUNET_KERNEL gpunet_max_pool_backward(const float* dy, const float* argmax, gpunet_window g, float* dx)
{
    int output_plane = g.output_height * g.output_width, input_plane = g.height * g.width;
    int planes = g.batch * g.channels;
    for (int plane = gpunet_global_index(); plane < planes; plane += gpunet_grid_stride())
    {
        float* image = dx + (long long)plane * input_plane;
        long long offset = (long long)plane * output_plane;
        for (int o = 0; o < output_plane; o++) image[(int)argmax[offset + o]] += dy[offset + o];
    }
}

GPUNET_KERNEL gpunet_average_pool_forward(const float* x, gpunet_window g, float* y)
{
    int output_plane = g.output_height * g.output_width;
    long long length = (long long)g.batch * g.channels * output_plane;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride())
    {
        long long plane = e / output_plane;
        int o = (int)(e % output_plane), oh = o / g.output_width, ow = o % g.output_width;
        const float* input = x + plane * g.height * g.width;
        int h0 = window_first_row(g, oh), h1 = window_end_row(g, oh), w0 = window_first_column(g, ow), w1 = window_end_column(g, ow);
        float sum = 0.0f;
        for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) sum += input[h * g.width + w];
        y[e] = sum / (float)((h1 - h0) * (w1 - w0));
    }
}

GPUNET_KERNEL gpunet_average_pool_backward(const float* dy, gpunet_window g, float* dx)
{
    int output_plane = g.output_height * g.output_width, input_plane = g.height * g.width;
    int planes = g.batch * g.channels;
    for (int plane = gpunet_global_index(); plane < planes; plane += gpunet_grid_stride())
    {
        float* image = dx + (long long)plane * input_plane;
        const float* gradient = dy + (long long)plane * output_plane;
        for (int oh = 0; oh < g.output_height; oh++)
        {
            int h0 = window_first_row(g, oh), h1 = window_end_row(g, oh);
            for (int ow = 0; ow < g.output_width; ow++)
            {
                int w0 = window_first_column(g, ow), w1 = window_end_column(g, ow);
                float share = gradient[oh * g.output_width + ow] / (float)((h1 - h0) * (w1 - w0));
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) image[h * g.width + w] += share;
            }
        }
    }
}

GPUNET_KERNEL gpunet_l2_pool_forward(const float* x, gpunet_window g, float* y)
{
    int output_plane = g.output_height * g.output_width;
    long long length = (long long)g.batch * g.channels * output_plane;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride())
    {
        long long plane = e / output_plane;
        int o = (int)(e % output_plane), oh = o / g.output_width, ow = o % g.output_width;
        const float* input = x + plane * g.height * g.width;
        int h0 = window_first_row(g, oh), h1 = window_end_row(g, oh), w0 = window_first_column(g, ow), w1 = window_end_column(g, ow);
        float sum = 0.0f;
        for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++)
            {
                float value = input[h * g.width + w];
                sum += value * value;
            }
        y[e] = gpunet_sqrtf(sum);
    }
}

GPUNET_KERNEL gpunet_l2_pool_backward(const float* x, const float* y, const float* dy, gpunet_window g, float* dx)
{
    int output_plane = g.output_height * g.output_width, input_plane = g.height * g.width;
    int planes = g.batch * g.channels;
    for (int plane = gpunet_global_index(); plane < planes; plane += gpunet_grid_stride())
    {
        const float* input = x + (long long)plane * input_plane;
        float* image = dx + (long long)plane * input_plane;
        long long offset = (long long)plane * output_plane;
        for (int oh = 0; oh < g.output_height; oh++)
        {
            int h0 = window_first_row(g, oh), h1 = window_end_row(g, oh);
            for (int ow = 0; ow < g.output_width; ow++)
            {
                int o = oh * g.output_width + ow;
                // √ has no derivative at 0; a window of zeros passes no gradient, as ReLU at 0.
                if (y[offset + o] == 0.0f) continue;
                float factor = dy[offset + o] / y[offset + o];
                int w0 = window_first_column(g, ow), w1 = window_end_column(g, ow);
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) image[h * g.width + w] += factor * input[h * g.width + w];
            }
        }
    }
}
