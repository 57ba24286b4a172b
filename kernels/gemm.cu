// c = alpha · op(a) · op(b) + beta · c, op(a) [m, k], op(b) [k, n], c [m, n], row-major.
// a is stored [m, k] or, transposed, [k, m]; b is stored [k, n] or, transposed, [n, k].
//
// Shared-memory tiling with 2-D register blocking: a block of 16×16 threads computes a
// 64×64 tile of c, each thread a 4×4 grid of it (rows ty + 16·r, columns tx + 16·s, so a
// warp's stores are contiguous), stepping through k 16 at a time. Every load is bounds
// checked, so any m, n, k works; beta = 0 overwrites c without reading it (NaN-safe).
#include "gpunet_device.h"

#define GEMM_TILE_M 64
#define GEMM_TILE_N 64
#define GEMM_TILE_K 16
#define GEMM_THREADS 256

GPUNET_KERNEL gpunet_gemm(int transpose_a, int transpose_b, const float* a, const float* b,
                          int m, int n, int k, float alpha, float beta, float* c)
{
    __shared__ float tile_a[GEMM_TILE_K][GEMM_TILE_M];
    __shared__ float tile_b[GEMM_TILE_K][GEMM_TILE_N];

    int tx = (int)threadIdx.x % 16, ty = (int)threadIdx.x / 16, t = (int)threadIdx.x;
    int row0 = (int)blockIdx.y * GEMM_TILE_M, col0 = (int)blockIdx.x * GEMM_TILE_N;
    float acc[4][4];
    for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++) acc[r][s] = 0.0f;

    for (int p0 = 0; p0 < k; p0 += GEMM_TILE_K)
    {
        // Each thread loads 4 elements of each tile, walking memory in its contiguous direction.
        for (int l = 0; l < 4; l++)
        {
            int index = t + GEMM_THREADS * l;
            int i, p;
            if (transpose_a) { p = index / GEMM_TILE_M; i = index % GEMM_TILE_M; }
            else { i = index / GEMM_TILE_K; p = index % GEMM_TILE_K; }
            int gi = row0 + i, gp = p0 + p;
            float value = 0.0f;
            if (gi < m && gp < k) value = transpose_a ? a[(long long)gp * m + gi] : a[(long long)gi * k + gp];
            tile_a[p][i] = value;

            int j;
            if (transpose_b) { j = index / GEMM_TILE_K; p = index % GEMM_TILE_K; }
            else { p = index / GEMM_TILE_N; j = index % GEMM_TILE_N; }
            int gj = col0 + j;
            gp = p0 + p;
            value = 0.0f;
            if (gj < n && gp < k) value = transpose_b ? b[(long long)gj * k + gp] : b[(long long)gp * n + gj];
            tile_b[p][j] = value;
        }
        GPUNET_BARRIER();

        for (int p = 0; p < GEMM_TILE_K; p++)
        {
            float column_a[4], row_b[4];
            for (int r = 0; r < 4; r++) column_a[r] = tile_a[p][ty + 16 * r];
            for (int s = 0; s < 4; s++) row_b[s] = tile_b[p][tx + 16 * s];
            for (int r = 0; r < 4; r++)
                for (int s = 0; s < 4; s++) acc[r][s] += column_a[r] * row_b[s];
        }
        GPUNET_BARRIER();
    }

    for (int r = 0; r < 4; r++)
    {
        int gi = row0 + ty + 16 * r;
        if (gi >= m) continue;
        for (int s = 0; s < 4; s++)
        {
            int gj = col0 + tx + 16 * s;
            if (gj >= n) continue;
            float* target = c + (long long)gi * n + gj;
            *target = beta == 0.0f ? alpha * acc[r][s] : alpha * acc[r][s] + beta * *target;
        }
    }
}
