/* The 1x1 GEMMs of mobilenet_v2 (8 images at 14 x 14 and 7 x 7: what a thread's late
 * micro-batch runs at batch 32 on 2 threads) and at batch 1, one thread, packed
 * weights, bias + ReLU6, in three cache states alternated call by call:
 * hot (the same A, C and weights every call), A and C rotated over 12 copies
 * (from L3, as a network's activations), and A, C and the weights rotated
 * (a copy last used 6 calls of mode 1 earlier).
 * Prints per shape the median and min ms of each state (eighteenth session,
 * issue 18: where the in-network 1x1 convs lose against their standalone speed).
 *
 *   make SIMD=avx2 build/cc-avx2/bench_pw_state && chrt -f 50 build/cc-avx2/bench_pw_state [REPS]
 */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "bench/bench_common.h"
#include <stdio.h>
#include <stdlib.h>

static const int shapes[][3] = { /* M K N */
    { 1568, 384, 64 }, { 1568, 64, 384 }, { 1568, 96, 576 }, { 1568, 576, 96 }, { 392, 160, 960 }, { 392, 960, 160 }, { 392, 320, 1280 },
    { 196, 384, 64 }, { 196, 576, 96 }, { 49, 960, 160 }, { 49, 320, 1280 } };
#define PW_COPIES 12
#define PW_REPS 200

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 30;
    if (reps < 1 || reps > PW_REPS) reps = 30;
    hant_config cfg = { 1, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    printf("# isa %s, 1 thread, ms: median (min) per state\nshape\thot\tAC_L3\tACW_L3\n", hant_isa());
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], K = shapes[s][1], N = shapes[s][2];
        float *a[PW_COPIES], *c[PW_COPIES], *pb[PW_COPIES], *b = malloc(4ul * K * N), *bias = calloc((size_t)N, 4);
        for (long q = 0; q < (long)K * N; q++) b[q] = (float)(q % 5) * 0.01f;
        for (int i = 0; i < PW_COPIES; i++) {
            a[i] = aligned_alloc(64, 4ul * M * K + 64);
            c[i] = aligned_alloc(64, 4ul * M * N + 64);
            pb[i] = aligned_alloc(64, 4 * hant__gemm_packed_b_floats(N, K) + 64);
            for (long q = 0; q < (long)M * K; q++) a[i][q] = (float)(q % 7) * 0.1f;
            memset(c[i], 0, 4ul * M * N);
            hant__gemm_pack_b_full(0, N, K, b, N, pb[i]);
        }
        hant__epilogue ep = { bias, HANT_ACT_RELU6, NULL, N };
        static double t[3][PW_REPS];
        for (int r = -3; r < reps; r++)
            for (int mode = 0; mode < 3; mode++) {
                /* mode 2 takes the copy mode 1 used 6 rounds ago: A and C as cold as mode 1's */
                int ix = mode == 0 ? 0 : mode == 1 ? (r + 3) % PW_COPIES : (r + 3 + PW_COPIES / 2) % PW_COPIES;
                hant__gemm_args g;
                memset(&g, 0, sizeof g);
                g.m = M; g.n = N; g.k = K; g.a = a[ix]; g.lda = K; g.b = b; g.ldb = N; g.packed_b = pb[mode == 2 ? ix : 0];
                g.c = c[ix]; g.ldc = N; g.ep = &ep; g.ctx = ctx; g.n24 = 1;
                double t0 = hant_time_ms();
                hant__gemm_run(&g);
                if (r >= 0) t[mode][r] = hant_time_ms() - t0;
            }
        printf("%dx%dx%d", M, K, N);
        for (int mode = 0; mode < 3; mode++) {
            double mn = t[mode][0];
            for (int r = 1; r < reps; r++) mn = t[mode][r] < mn ? t[mode][r] : mn;
            printf("\t%.4f (%.4f)", hant_bench_median(t[mode], reps), mn);
        }
        printf("\n");
        for (int i = 0; i < PW_COPIES; i++) { free(a[i]); free(c[i]); free(pb[i]); }
        free(b); free(bias);
    }
    hant_context_destroy(ctx);
    return 0;
}
