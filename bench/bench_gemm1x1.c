/* The 1x1 convolutions of mobilenet_v2 and b0-224 at batch 1 as hant runs
 * them, one thread, as a percentage of one core's measured FMA peak: the
 * GEMM with packed weights, bias and activation epilogue (hant__gemm_serial,
 * the call the tiled MBConv executor makes per band and the op by op path
 * makes per thread). "band" rows: C is a band buffer of that many rows
 * (the tiled executor's expanded rows, in L2), reused band after band over
 * the whole of A; 0: C is the whole M x N output.
 *
 *   cc -O2 -march=native -I. bench/bench_gemm1x1.c -lm -lpthread   (-I picks the hant.h)
 *   a.out [TARGET_MS [NAME_PART [ROUNDS]]]   prints: shape, M, K, N, band, median ms, % of peak
 *   -DG1_AB: per shape, ROUNDS rounds alternating the tiles one by one
 *   (hant__gemm_strip_off, the base path) and the small-K strips; medians of
 *   the round medians (min-max)
 */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "bench/bench_common.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct { const char *name; int M, K, N, band, act; } g1_shape;

/* band: output rows of one band x W (hant__fuse_rows with the 256 KiB budget, 2 threads, batch 1) */
static const g1_shape shapes[] = {
    { "mv2 112x112 16->96 expand (stride-2 band)", 12544, 16, 96, 224, HANT_ACT_RELU6 },
    { "mv2 56x56 24->144 expand (band)", 3136, 24, 144, 112, HANT_ACT_RELU6 },
    { "mv2 56x56 144->24 project (band)", 3136, 144, 24, 112, HANT_ACT_NONE },
    { "mv2 112x112 32->16 project (band)", 12544, 32, 16, 1008, HANT_ACT_NONE },
    { "mv2 28x28 32->192 expand (band)", 784, 32, 192, 168, HANT_ACT_RELU6 },
    { "mv2 28x28 192->32 project (band)", 784, 192, 32, 112, HANT_ACT_NONE },
    { "mv2 14x14 64->384 expand", 196, 64, 384, 0, HANT_ACT_RELU6 },
    { "mv2 14x14 384->64 project", 196, 384, 64, 0, HANT_ACT_NONE },
    { "mv2 14x14 96->576 expand", 196, 96, 576, 0, HANT_ACT_RELU6 },
    { "mv2 7x7 160->960 expand", 49, 160, 960, 0, HANT_ACT_RELU6 },
    { "mv2 7x7 960->160 project", 49, 960, 160, 0, HANT_ACT_NONE },
    { "b0 112x112 16->96 expand", 12544, 16, 96, 0, HANT_ACT_SILU },
    { "b0 56x56 24->144 expand", 3136, 24, 144, 0, HANT_ACT_SILU },
    { "b0 56x56 144->24 project", 3136, 144, 24, 0, HANT_ACT_NONE },
    { "b0 28x28 40->240 expand", 784, 40, 240, 0, HANT_ACT_SILU },
    { "b0 28x28 240->40 project", 784, 240, 40, 0, HANT_ACT_NONE },
    { "b0 14x14 80->480 expand", 196, 80, 480, 0, HANT_ACT_SILU },
    { "b0 14x14 480->80 project", 196, 480, 80, 0, HANT_ACT_NONE },
    { "b0 14x14 112->672 expand", 196, 112, 672, 0, HANT_ACT_SILU },
    { "b0 7x7 192->1152 expand", 49, 192, 1152, 0, HANT_ACT_SILU },
    { "b0 7x7 1152->192 project", 49, 1152, 192, 0, HANT_ACT_NONE },
    { "b0 7x7 320->1280 head", 49, 320, 1280, 0, HANT_ACT_SILU },
};

typedef struct { hant_context *ctx; const g1_shape *s; const float *a, *w, *packed, *bias; float *c; } g1_run;

static void g1_call(void *p) {
    const g1_run *r = (const g1_run *)p;
    const g1_shape *s = r->s;
    hant__epilogue ep = { r->bias, (hant_act)s->act, NULL, 0 };
    int band = s->band ? s->band : s->M;
    for (int m0 = 0; m0 < s->M; m0 += band) {
        hant__gemm_args g;
        memset(&g, 0, sizeof g);
        g.m = HANT__MIN(band, s->M - m0); g.n = s->N; g.k = s->K; g.a = r->a + (size_t)m0 * s->K; g.lda = s->K;
        g.b = r->w; g.ldb = s->N; g.packed_b = r->packed;
        g.c = r->c + (s->band ? 0 : (size_t)m0 * s->N); g.ldc = s->N; g.ep = &ep; g.ctx = r->ctx;
        hant__gemm_serial(&g, 0, g.m, 0, g.n);
    }
}

int main(int argc, char **argv) {
    double target = argc > 1 ? atof(argv[1]) : 300;
    const char *only = argc > 2 && *argv[2] ? argv[2] : NULL;
    int rounds = argc > 3 ? atoi(argv[3]) : 7;
    if (rounds < 1 || rounds > 64) rounds = 7;
    hant_config cfg = { 1, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    double peak = hant_bench_fma_peak(1);
    printf("# isa %s fma_peak_gflops_1thread %.1f\n", hant_isa(), peak);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const g1_shape *s = &shapes[i];
        if (only && !strstr(s->name, only)) continue;
        size_t na = (size_t)s->M * s->K, nw = (size_t)s->K * s->N, nc = (size_t)(s->band ? s->band : s->M) * s->N;
        float *a = hant_alloc(ctx, 4 * na), *w = hant_alloc(ctx, 4 * nw), *c = hant_alloc(ctx, 4 * nc);
        float *bias = hant_alloc(ctx, 4 * (size_t)s->N), *packed = hant_alloc(ctx, 4 * hant__gemm_packed_b_floats(s->N, s->K));
        for (size_t k = 0; k < na; k++) a[k] = (float)(k % 17) * 0.01f;
        for (size_t k = 0; k < nw; k++) w[k] = (float)(k % 13) * 0.01f - 0.05f;
        for (int k = 0; k < s->N; k++) bias[k] = 0.01f * (float)k;
        hant__gemm_pack_b_full(0, s->N, s->K, w, s->N, packed);
        g1_run r = { ctx, s, a, w, packed, bias, c };
        double flop = 2.0 * s->M * s->K * s->N;
#ifdef G1_AB
        /* A/B in one process: the tiles one by one (the base path) and the strips, alternating round by round */
        double t[2][64];
        for (int q = 0; q < rounds; q++)
            for (int v = 0; v < 2; v++) {
                hant__gemm_strip_off = !v;
                t[v][q] = hant_bench_time(g1_call, &r, target).median_ms;
            }
        hant__gemm_strip_off = 0;
        qsort(t[0], (size_t)rounds, sizeof(double), hant_bench_cmpd);
        qsort(t[1], (size_t)rounds, sizeof(double), hant_bench_cmpd);
        printf("%s\t%d\t%d\t%d\t%d\tbase %.4f (%.4f-%.4f) %.1f%%\tnew %.4f (%.4f-%.4f) %.1f%%\tnew/base %.3f\n", s->name, s->M, s->K, s->N,
               s->band, t[0][rounds / 2], t[0][0], t[0][rounds - 1], 100 * flop / (t[0][rounds / 2] * 1e6) / peak, t[1][rounds / 2], t[1][0],
               t[1][rounds - 1], 100 * flop / (t[1][rounds / 2] * 1e6) / peak, t[1][rounds / 2] / t[0][rounds / 2]);
#else
        hant_bench_stats st = hant_bench_time(g1_call, &r, target);
        printf("%s\t%d\t%d\t%d\t%d\t%.4f\t%.1f\n", s->name, s->M, s->K, s->N, s->band, st.median_ms, 100 * flop / (st.median_ms * 1e6) / peak);
#endif
        hant_free(ctx, a); hant_free(ctx, w); hant_free(ctx, c); hant_free(ctx, bias); hant_free(ctx, packed);
    }
    hant_context_destroy(ctx);
    return 0;
}
