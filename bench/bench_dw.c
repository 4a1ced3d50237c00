/* Depthwise and stem kernels on their own: the MBConv networks' 3x3/5x5
 * depthwise shapes and the 3->32 and 3->16 stems at 224, as GFLOP/s, share of the FMA
 * peak and GB/s of the tensors they read and write (x, y), against this
 * machine's measured copy bandwidth (one and all threads).
 *
 *   bench_dw [--threads T] [--batch N] [--reps R] [--cold] [--match S] [--ref] [--act A]
 *
 * --match S: only the shapes whose name contains S; --ref: the reference
 * tiles (hant__dw_ref, hant__direct_ref), the paths the fast ones replace.
 *
 * Each row is the median of R calls of hant_conv_forward (bias, ReLU6 or --act A: none, relu, silu, ...) after
 * 3 warm-up calls; --cold streams 64 MiB through the cache before each call.
 * Run it under chrt -f on a shared machine.
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int h, w, c, k, s, dense; const char *name; } hant_dwb_shape; /* dense: its cout (0: depthwise) */
static const hant_dwb_shape hant_dwb_shapes[] = {
    { 224, 224, 3, 3, 2, 32, "stem 3->32" },
    { 224, 224, 3, 3, 2, 16, "stem 3->16 (mnv3s)" },
    { 112, 112, 32, 3, 1, 0, "mnv2/b0 b0" },
    { 112, 112, 96, 3, 2, 0, "mnv2 b1" },
    { 56, 56, 144, 3, 1, 0, "mnv2 b2" },
    { 56, 56, 144, 3, 2, 0, "mnv2 b3" },
    { 56, 56, 144, 5, 2, 0, "b0 b3" },
    { 28, 28, 192, 3, 1, 0, "mnv2" },
    { 28, 28, 192, 3, 2, 0, "mnv2" },
    { 28, 28, 240, 5, 1, 0, "b0" },
    { 28, 28, 240, 3, 2, 0, "b0" },
    { 14, 14, 384, 3, 1, 0, "mnv2" },
    { 14, 14, 480, 3, 1, 0, "b0" },
    { 14, 14, 576, 3, 2, 0, "mnv2" },
    { 14, 14, 672, 5, 1, 0, "b0" },
    { 7, 7, 960, 3, 1, 0, "mnv2" },
    { 7, 7, 1152, 5, 1, 0, "b0" },
};

static double hant_dwb_copy_gbs(float *a, float *b, size_t n) {
    double best = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = hant_time_ms();
        memcpy(b, a, n * sizeof(float));
        double t = hant_time_ms() - t0;
        double g = 2.0 * n * sizeof(float) / (t * 1e6);
        if (g > best) best = g;
    }
    return best;
}

int main(int argc, char **argv) {
    int threads = 2, batch = 1, reps = 50, cold = 0;
    const char *match = NULL;
    hant_act act = HANT_ACT_RELU6;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cold")) cold = 1;
        else if (!strcmp(argv[i], "--match") && i + 1 < argc) match = argv[++i];
        else if (!strcmp(argv[i], "--ref")) hant__dw_ref = hant__direct_ref = 1;
        else if (!strcmp(argv[i], "--act") && i + 1 < argc) {
            const char *an = argv[++i];
            if (!hant__act_parse(an, strlen(an), &act)) { fprintf(stderr, "--act %s: unknown\n", an); return 2; }
        }
        else { fprintf(stderr, "usage: bench_dw [--threads T] [--batch N] [--reps R] [--cold] [--match S] [--ref] [--act A]\n"); return 2; }
    }
    if (threads < 1 || batch < 1 || reps < 1) return 2;
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    size_t big = (size_t)16 << 20;
    float *ba = (float *)malloc(big * 4), *bb = (float *)malloc(big * 4);
    hant_bench_fill(ba, big);
    memset(bb, 0, big * 4);
    double peak = hant_bench_fma_peak(threads), bw = hant_dwb_copy_gbs(ba, bb, big);
    printf("# isa %s threads %d batch %d reps %d cold %d act %s fma_peak_gflops %.1f memcpy_gbs_1thread %.1f\n", hant_isa(), threads, batch, reps,
           cold, hant_act_name(act), peak, bw);
    printf("shape\th\tw\tc\tk\ts\tms\tgflops\tpct_peak\tgbs\n");
    for (size_t i = 0; i < sizeof hant_dwb_shapes / sizeof hant_dwb_shapes[0]; i++) {
        const hant_dwb_shape *d = &hant_dwb_shapes[i];
        if (match && !strstr(d->name, match)) continue;
        int cout = d->dense ? d->dense : d->c;
        hant_conv_shape s = { batch, d->h, d->w, d->c, cout, d->k, d->s, d->dense ? 1 : d->c };
        int oh = hant_conv_out(d->h, d->k, d->s), ow = hant_conv_out(d->w, d->k, d->s);
        size_t nx = (size_t)batch * d->h * d->w * d->c, ny = (size_t)batch * oh * ow * cout;
        size_t nw = (size_t)d->k * d->k * (d->dense ? d->c : 1) * cout;
        /* 64-byte aligned as a network's tensors: malloc's 16-byte alignment split every vector across two lines (1.7x slower) */
        float *x = (float *)hant_alloc(ctx, nx * 4), *y = (float *)hant_alloc(ctx, ny * 4), *w = (float *)hant_alloc(ctx, nw * 4),
              *b = (float *)hant_alloc(ctx, (size_t)cout * 4);
        hant_bench_fill(x, nx); hant_bench_fill(w, nw); hant_bench_fill(b, (size_t)cout);
        double *t = (double *)malloc(sizeof(double) * reps);
        for (int r = -3; r < reps; r++) {
            if (cold) memcpy(bb, ba, big * 4);
            double t0 = hant_time_ms();
            hant_conv_forward(ctx, &s, x, w, b, act, NULL, y);
            if (r >= 0) t[r] = hant_time_ms() - t0;
        }
        double ms = hant_bench_median(t, reps);
        double flop = 2.0 * ny * d->k * d->k * (d->dense ? d->c : 1);
        printf("%s\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.1f\t%.1f\t%.1f\n", d->name, d->h, d->w, d->c, d->k, d->s, ms, flop / (ms * 1e6),
               100.0 * flop / (ms * 1e6) / peak, (double)(nx + ny) * 4 / (ms * 1e6));
        hant_free(ctx, x); hant_free(ctx, y); hant_free(ctx, w); hant_free(ctx, b); free(t);
    }
    hant_context_destroy(ctx);
    free(ba); free(bb);
    return 0;
}
