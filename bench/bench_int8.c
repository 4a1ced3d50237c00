/* int8 against fp32 on every distinct b0-224 shape at batch 1 (the same
 * selection as bench_pointwise: 1x1 convs with BN and Cout >= 32, then the
 * depthwise convs). Side by side in one run: each round times every variant
 * of a shape in turn (10 calls each), and the tables give the medians of the
 * rounds. Inputs and weights are random; int8 output is u8 (the next layer
 * int8) or fp32 (the boundary back to fp32), activation none.
 *
 *   make bench-int8   [THREADS=2]
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include <stdio.h>
#include <stdlib.h>

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double median(double *t, int n) { qsort(t, (size_t)n, sizeof(double), cmpd); return t[n / 2]; }

enum { V_F32 = 0, V_F32_PACKED = 1, V_I8_U8 = 2, V_I8_F32 = 3, NV = 4 };

typedef struct {
    hant_context *ctx;
    hant_conv_shape s;
    float *x, *w, *packed, *y;
    uint8_t *xq, *yq;
    float *yf;
    hant_qconv *q;
} bench_case;

static void run_variant(bench_case *b, int v) {
    switch (v) {
    case V_F32: hant_conv_forward(b->ctx, &b->s, b->x, b->w, NULL, HANT_ACT_NONE, NULL, b->y); break;
    case V_F32_PACKED: hant__conv_forward_packed(b->ctx, &b->s, b->x, b->w, b->packed, NULL, HANT_ACT_NONE, NULL, b->y); break;
    case V_I8_U8: hant_qconv_forward_u8(b->q, 1, b->s.h, b->s.w, b->xq, b->yq); break;
    case V_I8_F32: hant_qconv_forward_f32(b->q, 1, b->s.h, b->s.w, b->xq, b->yf); break;
    }
}

/* Medians (ms per call) of `rounds` rounds; variants with use[v] == 0 are skipped. */
static void time_case(bench_case *b, const int *use, int rounds, double *med) {
    double t[NV][64];
    for (int v = 0; v < NV; v++)
        if (use[v]) for (int r = 0; r < 3; r++) run_variant(b, v);
    for (int r = 0; r < rounds; r++)
        for (int v = 0; v < NV; v++) {
            if (!use[v]) continue;
            double t0 = hant_time_ms();
            for (int k = 0; k < 10; k++) run_variant(b, v);
            t[v][r] = (hant_time_ms() - t0) / 10;
        }
    for (int v = 0; v < NV; v++) med[v] = use[v] ? median(t[v], rounds) : 0;
}

static int setup(bench_case *b, hant_context *ctx, hant_conv_shape s, int packed) {
    memset(b, 0, sizeof *b);
    b->ctx = ctx; b->s = s;
    int g = s.groups ? s.groups : 1, oh = hant_conv_out(s.h, s.kernel, s.stride), ow = hant_conv_out(s.w, s.kernel, s.stride);
    size_t xn = (size_t)s.h * s.w * s.cin, wn = (size_t)s.kernel * s.kernel * (s.cin / g) * s.cout, yn = (size_t)oh * ow * s.cout;
    b->x = hant_alloc(ctx, sizeof(float) * xn); b->w = hant_alloc(ctx, sizeof(float) * wn); b->y = hant_alloc(ctx, sizeof(float) * yn);
    b->xq = hant_alloc(ctx, xn); b->yq = hant_alloc(ctx, yn); b->yf = hant_alloc(ctx, sizeof(float) * yn);
    int8_t *wq = hant_alloc(ctx, wn);
    float *ws = hant_alloc(ctx, sizeof(float) * s.cout);
    uint64_t r = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < xn; i++) { r ^= r << 13; r ^= r >> 7; r ^= r << 17; b->x[i] = (float)(r % 1000) * 0.004f - 1.0f; }
    for (size_t i = 0; i < wn; i++) { r ^= r << 13; r ^= r >> 7; r ^= r << 17; b->w[i] = (float)(r % 1000) * 0.0004f - 0.2f; }
    hant_calib cal;
    hant_calib_init(&cal);
    hant_calib_update(&cal, b->x, xn);
    hant_qconv_desc d = { s.cin, s.cout, s.kernel, s.stride, g, wq, ws, NULL, HANT_ACT_NONE, { 1, 0 }, { 0.05f, 128 } };
    hant_calib_qparams(&cal, 100, &d.in);
    hant_quantize_u8(b->x, xn, d.in, b->xq);
    hant_quantize_weights(b->w, wn / s.cout, s.cout, wq, ws);
    hant_status st = hant_qconv_create(ctx, &d, &b->q);
    hant_free(ctx, wq); hant_free(ctx, ws);
    if (st) { fprintf(stderr, "qconv: %s\n", hant_last_error()); return 0; }
    if (packed) {
        b->packed = hant_alloc(ctx, sizeof(float) * hant__gemm_packed_b_floats(s.cout, s.cin));
        hant__gemm_pack_b_full(0, s.cout, s.cin, b->w, s.cout, b->packed);
    }
    return 1;
}

static void teardown(bench_case *b) {
    hant_context *c = b->ctx;
    hant_free(c, b->x); hant_free(c, b->w); hant_free(c, b->y); hant_free(c, b->xq); hant_free(c, b->yq); hant_free(c, b->yf);
    hant_free(c, b->packed);
    hant_qconv_destroy(b->q);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    int rounds = argc > 2 ? atoi(argv[2]) : 21;
    if (threads < 1 || threads > 64 || rounds < 1 || rounds > 64) { fprintf(stderr, "usage: bench_int8 [THREADS 1..64] [ROUNDS 1..64]\n"); return 2; }
    hant_config cfg = { threads, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    printf("isa %s, int8 %s, threads %d, median of %d rounds of 10 calls\n\n", hant_isa(), hant_int8_isa(), threads, rounds);
    hant_arch a;
    hant_arch_builtin("b0-224", &a);
    hant_net *net;
    if (hant_net_create(ctx, &a, 1, &net)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }

    printf("| b0-224 pointwise (batch 1) | M x K x N | fp32 ms | fp32 packed ms | int8->u8 ms | int8->f32 ms | u8 vs fp32 | u8 vs packed | int8 GOP/s |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    int seen[256][4], nseen = 0, count = 0;
    double sum[NV] = { 0 }, logr = 0, logrp = 0, minr = 1e9;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            printf("\n| b0-224 depthwise (batch 1) | k, stride | fp32 ms | int8->u8 ms | int8->f32 ms | u8 vs fp32 |\n|---|---|---|---|---|---|\n");
            nseen = 0;
        }
        for (int i = 0; i < net->nunits; i++) {
            const hant__unit *u = &net->units[i];
            int dw = u->s.groups > 1 && u->s.groups == u->s.cin;
            if (pass == 0 && (u->s.kernel != 1 || u->s.groups != 1 || !u->has_bn || u->s.cout < 32)) continue;
            if (pass == 1 && !dw) continue;
            int key[4] = { u->s.h * u->s.w, u->s.cin, u->s.cout, u->s.kernel * 8 + u->s.stride }, dup = 0;
            for (int j = 0; j < nseen; j++) if (!memcmp(seen[j], key, sizeof key)) dup = 1;
            if (dup) continue;
            memcpy(seen[nseen++], key, sizeof key);
            hant_conv_shape s = u->s;
            s.n = 1;
            bench_case b;
            if (!setup(&b, ctx, s, pass == 0)) return 1;
            double med[NV];
            int use[NV] = { 1, pass == 0, 1, 1 };
            time_case(&b, use, rounds, med);
            if (pass == 0) {
                int M = s.h * s.w;
                double r = med[V_F32] / med[V_I8_U8], rp = med[V_F32_PACKED] / med[V_I8_U8];
                printf("| %dx%dx%d -> %d | %d x %d x %d | %.4f | %.4f | %.4f | %.4f | %.2fx | %.2fx | %.0f |\n", s.h, s.w, s.cin, s.cout, M, s.cin,
                       s.cout, med[V_F32], med[V_F32_PACKED], med[V_I8_U8], med[V_I8_F32], r, rp, 2.0 * M * s.cin * s.cout / (med[V_I8_U8] * 1e6));
                for (int v = 0; v < NV; v++) sum[v] += med[v];
                logr += log(r); logrp += log(rp); count++;
                if (rp < minr) minr = rp;
            } else {
                printf("| %dx%dx%d | %d, %d | %.4f | %.4f | %.4f | %.2fx |\n", s.h, s.w, s.cin, s.kernel, s.stride, med[V_F32], med[V_I8_U8],
                       med[V_I8_F32], med[V_F32] / med[V_I8_U8]);
            }
            teardown(&b);
        }
        if (pass == 0)
            printf("\n%d shapes, int8->u8 against fp32: total time %.2fx (packed %.2fx), geometric mean %.2fx (packed %.2fx), "
                   "lowest %.2fx (packed); int8->f32 against packed fp32: total %.2fx\n",
                   count, sum[V_F32] / sum[V_I8_U8], sum[V_F32_PACKED] / sum[V_I8_U8], exp(logr / count), exp(logrp / count), minr,
                   sum[V_F32_PACKED] / sum[V_I8_F32]);
    }
    hant_net_destroy(net);
    hant_context_destroy(ctx);
    return 0;
}
