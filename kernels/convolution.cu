// The data movement around the convolution's GEMM: im2col, its adjoint col2im, the axis swap
// between filter-major and NCHW, and the per-channel bias.
#include "gpunet_device.h"

// col [C·kh·kw, N·OH·OW] from x [N, C, H, W]: a thread per element of col, zero over padding.
GPUNET_KERNEL gpunet_im2col(const float* x, gpunet_window g, float* col)
{
    int window_size = g.window_height * g.window_width;
    int output_plane = g.output_height * g.output_width;
    long long columns = (long long)g.batch * output_plane;
    long long length = columns * g.channels * window_size;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride())
    {
        int row = (int)(e / columns);
        long long column = e % columns;
        int c = row / window_size, i = row / g.window_width % g.window_height, j = row % g.window_width;
        int n = (int)(column / output_plane), position = (int)(column % output_plane);
        int oh = position / g.output_width, ow = position % g.output_width;
        int h = oh * g.stride_height - g.pad_top + i, w = ow * g.stride_width - g.pad_left + j;
        col[e] = h >= 0 && h < g.height && w >= 0 && w < g.width
            ? x[(((long long)n * g.channels + c) * g.height + h) * g.width + w]
            : 0.0f;
    }
}

// dx [N, C, H, W] += col2im(dCol): a thread per pixel gathers every patch element copied from
// it, so no two threads write one pixel and no atomics are needed.
GPUNET_KERNEL gpunet_col2im(const float* d_col, gpunet_window g, float* dx)
{
    int output_plane = g.output_height * g.output_width;
    long long columns = (long long)g.batch * output_plane;
    long long length = (long long)g.batch * g.channels * g.height * g.width;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride())
    {
        int w = (int)(e % g.width), h = (int)(e / g.width % g.height);
        int c = (int)(e / ((long long)g.width * g.height) % g.channels), n = (int)(e / ((long long)g.width * g.height * g.channels));
        float sum = 0.0f;
        for (int i = 0; i < g.window_height; i++)
        {
            int top = h + g.pad_top - i;
            if (top < 0 || top % g.stride_height != 0) continue;
            int oh = top / g.stride_height;
            if (oh >= g.output_height) continue;
            for (int j = 0; j < g.window_width; j++)
            {
                int left = w + g.pad_left - j;
                if (left < 0 || left % g.stride_width != 0) continue;
                int ow = left / g.stride_width;
                if (ow >= g.output_width) continue;
                long long row = ((long long)c * g.window_height + i) * g.window_width + j;
                sum += d_col[row * columns + (long long)n * output_plane + oh * g.output_width + ow];
            }
        }
        dx[e] += sum;
    }
}

// y [b, a, inner] = x [a, b, inner].
GPUNET_KERNEL gpunet_swap_leading_axes(const float* x, int a, int b, int inner, float* y)
{
    long long length = (long long)a * b * inner;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride())
    {
        long long s = e % inner;
        long long q = e / inner % b, p = e / ((long long)inner * b);
        y[(q * a + p) * inner + s] = x[e];
    }
}

// y[n, c, s] += bias[c].
GPUNET_KERNEL gpunet_add_channel_bias(const float* bias, int batch, int channels, int spatial, float* y)
{
    long long length = (long long)batch * channels * spatial;
    for (long long e = gpunet_global_index(); e < length; e += gpunet_grid_stride()) y[e] += bias[e / spatial % channels];
}

// dBias[c] += Σ_n Σ_s dy[n, c, s]: a block per channel, summed in double.
GPUNET_KERNEL gpunet_channel_bias_gradient(const float* dy, int batch, int channels, int spatial, float* d_bias)
{
    GPUNET_DYNAMIC_SHARED(double, scratch);
    int c = (int)blockIdx.x;
    long long count = (long long)batch * spatial;
    double sum = 0.0;
    for (long long e = threadIdx.x; e < count; e += GPUNET_REDUCE_THREADS)
    {
        long long n = e / spatial, s = e % spatial;
        sum += dy[(n * channels + c) * spatial + s];
    }
    double total = gpunet_block_sum(sum, scratch);
    if (threadIdx.x == 0) d_bias[c] += (float)total;
}
