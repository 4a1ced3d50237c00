/* One packed-weight 1x1 conv (GEMM M x N x K, SiLU epilogue) timed with its
 * weights in cache or evicted first, against the FMA peak: the late 1x1
 * convs of b0-224 at batch 1 stream their weights from L3.
 *
 *   bench_gemm_cold M N K [THREADS] [COLD]
 *
 * COLD 0: weights hot; 1: a 64 MiB buffer touched before each call; 2: the
 * same, then A and C touched again (only B cold); 3: only B touched again.
 * Median of 50 calls. Run under chrt -f.
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
static float *junk; static size_t njunk = (size_t)64 << 20 >> 2;
static void evict(void) { for (size_t i = 0; i < njunk; i += 16) junk[i] += 1.0f; }
int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: bench_gemm_cold M N K [THREADS] [COLD]\n"); return 2; }
    int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]), T = argc > 4 ? atoi(argv[4]) : 1, cold = argc > 5 ? atoi(argv[5]) : 0;
    hant_config cfg = { T, 0, { 0 }, 0 }; hant_context *ctx; hant_context_create(&cfg, &ctx);
    junk = calloc(njunk, 4);
    float *a = malloc(4ul * M * K), *b = malloc(4ul * K * N), *c = malloc(4ul * M * N), *pb = aligned_alloc(64, 4 * hant__gemm_packed_b_floats(N, K) + 64), *bias = calloc(N, 4);
    for (long i = 0; i < (long)M * K; i++) a[i] = (i % 7) * 0.1f;
    for (long i = 0; i < (long)K * N; i++) b[i] = (i % 5) * 0.01f;
    hant__gemm_pack_b_full(0, N, K, b, N, pb);
    hant_conv_shape s = { 0 }; s.n = 1; s.h = 1; s.w = M; s.cin = K; s.cout = N; s.kernel = 1; s.stride = 1; s.groups = 1;
    double ts[50];
    for (int r = 0; r < 50; r++) {
        if (cold) evict();
        if (cold == 2) { for (long i = 0; i < (long)M * K; i++) a[i] += 0.0f; for (long i = 0; i < (long)M * N; i++) c[i] = 0.0f; }
        if (cold == 3) { volatile float s = 0; for (size_t i = 0; i < hant__gemm_packed_b_floats(N, K); i += 16) s += pb[i]; }
        double t0 = hant_time_ms();
        hant__conv_forward_net(ctx, &s, a, b, pb, 0, NULL, bias, HANT_ACT_SILU, NULL, c);
        ts[r] = hant_time_ms() - t0;
    }
    for (int i = 0; i < 50; i++) for (int j = i + 1; j < 50; j++) if (ts[j] < ts[i]) { double t = ts[i]; ts[i] = ts[j]; ts[j] = t; }
    double peak = hant_bench_fma_peak(T);
    double ms = ts[25];
    printf("M %d N %d K %d T %d cold %d: %.4f ms %.1f%% peak\n", M, N, K, T, cold, ms, 200.0 * M * N * K / (ms * 1e6) / peak);
    return 0;
}
