/* The int8 depthwise conv alone, old kernels (per-pixel tap pointers) against
 * the row-run kernel (hant__q8_dw_runs), in one process, beside the fp32
 * depthwise on the same shape (issue 18 item 3). The depthwise shapes of
 * b0-224 and b0-fm (MBConv blocks: 3x3 and 5x5, strides 1 and 2), batch 1,
 * fp32 output with SiLU (what SE reads) or u8 with --u8. Each distinct shape
 * once (bN: its first block; repeats not counted). Each round times the
 * three (fp32, int8 old, int8 new, the order alternating) as the median of
 * INNER calls; per shape: the medians over the rounds, the median of the
 * per-round ratios old/new and fp32/new, and in how many rounds new won.
 * Checks that old and new give the same bytes.
 *
 *   build/cc-avx2/bench_q8dw [THREADS [ROUNDS [INNER]]] [--u8] [--match S]
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "bench_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int h, w, c, k, s; const char *name; } shape;
static const shape shapes[] = {
    { 112, 112, 32, 3, 1, "b0-224 b0" }, { 112, 112, 96, 3, 2, "b0-224 b1" }, { 56, 56, 144, 3, 1, "b0-224 b2" },
    { 56, 56, 144, 5, 2, "b0-224 b3" }, { 28, 28, 240, 5, 1, "b0-224 b4" }, { 28, 28, 240, 3, 2, "b0-224 b5" },
    { 14, 14, 480, 3, 1, "b0-224 b6" }, { 14, 14, 480, 5, 1, "b0-224 b8" }, { 14, 14, 672, 5, 1, "b0-224 b10" },
    { 14, 14, 672, 5, 2, "b0-224 b11" }, { 7, 7, 1152, 5, 1, "b0-224 b12" }, { 7, 7, 1152, 3, 1, "b0-224 b15" },
    { 28, 28, 32, 3, 1, "b0-fm b0" }, { 28, 28, 96, 3, 2, "b0-fm b1" }, { 14, 14, 144, 3, 1, "b0-fm b2" },
    { 14, 14, 144, 5, 2, "b0-fm b3" }, { 7, 7, 240, 5, 1, "b0-fm b4" }, { 7, 7, 240, 3, 2, "b0-fm b5" },
    { 4, 4, 480, 3, 1, "b0-fm b6" }, { 4, 4, 480, 5, 1, "b0-fm b8" }, { 4, 4, 672, 5, 1, "b0-fm b10" },
    { 4, 4, 672, 5, 2, "b0-fm b11" }, { 2, 2, 1152, 5, 1, "b0-fm b12" }, { 2, 2, 1152, 3, 1, "b0-fm b15" },
};

typedef struct { hant_context *ctx; hant_conv_shape s; const float *xf, *w, *b; float *yf; hant_qconv *q; const uint8_t *xq; uint8_t *yu; float *yq; int u8; } job;

static double med(double *t, int n) { return hant_bench_median(t, n); }
static double time_one(job *j, int which, int inner) {
    double t[64];
    for (int i = 0; i < inner; i++) {
        double t0 = hant_time_ms();
        if (which == 0) hant_conv_forward(j->ctx, &j->s, j->xf, j->w, j->b, HANT_ACT_SILU, NULL, j->yf);
        else {
#if defined(HANT__Q8_DW_RUNK)
            hant__q8_dw_runs = which == 2;
#endif
            if (j->u8) hant_qconv_forward_u8(j->q, 1, j->s.h, j->s.w, j->xq, j->yu);
            else hant_qconv_forward_f32(j->q, 1, j->s.h, j->s.w, j->xq, j->yq);
        }
        t[i] = hant_time_ms() - t0;
    }
    return med(t, inner);
}

int main(int argc, char **argv) {
    int threads = 2, rounds = 15, inner = 9, u8 = 0, pos = 0;
    const char *match = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--u8")) u8 = 1;
        else if (!strcmp(argv[i], "--match") && i + 1 < argc) match = argv[++i];
        else if (pos == 0) threads = atoi(argv[i]), pos++;
        else if (pos == 1) rounds = atoi(argv[i]), pos++;
        else inner = atoi(argv[i]);
    }
    if (threads < 1 || rounds < 1 || rounds > 256 || inner < 1 || inner > 64) return 2;
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    printf("# isa %s int8 %s threads %d rounds %d inner %d out %s\n", hant_isa(), hant_int8_isa(), threads, rounds, inner, u8 ? "u8 linear" : "f32 silu");
    printf("shape\th\tw\tc\tk\ts\tfp32_ms\told_ms\tnew_ms\told/new\tnew_won\tfp32/old\tfp32/new\tsame\n");
    double sum[3] = { 0, 0, 0 };
    for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        const shape *d = &shapes[si];
        if (match && !strstr(d->name, match)) continue;
        int oh = hant_conv_out(d->h, d->k, d->s), ow = hant_conv_out(d->w, d->k, d->s);
        size_t nx = (size_t)d->h * d->w * d->c, ny = (size_t)oh * ow * d->c, nw = (size_t)d->k * d->k * d->c;
        job j;
        memset(&j, 0, sizeof j);
        j.ctx = ctx; j.u8 = u8;
        j.s = (hant_conv_shape){ 1, d->h, d->w, d->c, d->c, d->k, d->s, d->c };
        float *xf = (float *)hant_alloc(ctx, nx * 4), *w = (float *)hant_alloc(ctx, nw * 4), *b = (float *)hant_alloc(ctx, (size_t)d->c * 4);
        float *yf = (float *)hant_alloc(ctx, ny * 4), *yq = (float *)hant_alloc(ctx, ny * 4), *yq2 = (float *)hant_alloc(ctx, ny * 4);
        uint8_t *xq = (uint8_t *)hant_alloc(ctx, nx), *yu = (uint8_t *)hant_alloc(ctx, ny), *yu2 = (uint8_t *)hant_alloc(ctx, ny);
        int8_t *wq = (int8_t *)malloc(nw);
        float *ws = (float *)malloc((size_t)d->c * 4);
        hant_bench_fill(xf, nx); hant_bench_fill(w, nw); hant_bench_fill(b, (size_t)d->c);
        for (size_t i = 0; i < nx; i++) xq[i] = (uint8_t)((i * 2654435761u) >> 13);
        int wm = hant_int8_weight_max();
        for (size_t i = 0; i < nw; i++) wq[i] = (int8_t)((int)((i * 40503u) >> 5) % (2 * wm + 1) - wm);
        for (int c = 0; c < d->c; c++) ws[c] = 0.01f;
        hant_qconv_desc qd;
        memset(&qd, 0, sizeof qd);
        qd.cin = qd.cout = d->c; qd.kernel = d->k; qd.stride = d->s; qd.groups = d->c; qd.weights = wq; qd.w_scale = ws; qd.bias = b;
        qd.act = u8 ? HANT_ACT_NONE : HANT_ACT_SILU; qd.in = (hant_qparams){ 0.02f, 3 }; qd.out = (hant_qparams){ 0.5f, 100 };
        if (hant_qconv_create(ctx, &qd, &j.q)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
        j.xf = xf; j.w = w; j.b = b; j.yf = yf; j.xq = xq; j.yu = yu; j.yq = yq;
        /* same bytes, old and new */
        time_one(&j, 1, 1);
        memcpy(yu2, yu, ny); memcpy(yq2, yq, ny * 4);
        time_one(&j, 2, 1);
        int same = u8 ? !memcmp(yu, yu2, ny) : !memcmp(yq, yq2, ny * 4);
        double t[3][256], rn[256], rf[256];
        int won = 0;
        for (int r = -1; r < rounds; r++) {
            double tt[3];
            for (int k = 0; k < 3; k++) { int which = r & 1 ? 2 - k : k; tt[which] = time_one(&j, which, inner); }
            if (r < 0) continue;
            for (int k = 0; k < 3; k++) t[k][r] = tt[k];
            rn[r] = tt[1] / tt[2]; rf[r] = tt[0] / tt[2];
            won += tt[2] < tt[1];
        }
        double m[3];
        for (int k = 0; k < 3; k++) { m[k] = med(t[k], rounds); sum[k] += m[k]; }
        double rnm = med(rn, rounds), rfm = med(rf, rounds);
        printf("%s\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.3f\t%d/%d\t%.2f\t%.2f\t%d\n", d->name, d->h, d->w, d->c, d->k, d->s, m[0], m[1], m[2], rnm, won,
               rounds, m[0] / m[1], rfm, same);
        fflush(stdout);
        hant_qconv_destroy(j.q);
        hant_free(ctx, xf); hant_free(ctx, w); hant_free(ctx, b); hant_free(ctx, yf); hant_free(ctx, yq); hant_free(ctx, yq2);
        hant_free(ctx, xq); hant_free(ctx, yu); hant_free(ctx, yu2); free(wq); free(ws);
    }
    printf("sum\t\t\t\t\t\t%.4f\t%.4f\t%.4f\t%.3f\t\t%.2f\t%.2f\n", sum[0], sum[1], sum[2], sum[1] / sum[2], sum[0] / sum[1], sum[0] / sum[2]);
    hant_context_destroy(ctx);
    return 0;
}
