/* What a 2-thread depthwise conv pays for data in the other core's cache
 * (twenty-third session): mobilenet_v2's 14 x 14 x 384 (split by rows) and
 * 7 x 7 x 960 (split by channels) 3x3 stride-1 convs, each call timed after
 *   back-to-back: nothing between the calls;
 *   x own part written: each thread wrote the part of x that it reads (its rows or channels);
 *   x other's part written: each thread wrote the other's part;
 *   x own, y other's written: as the second, and each thread wrote the other's part of y;
 *   1 thread, x written: one thread alone, x written by it.
 *   bench_dw_remote [reps]   (run under chrt -f 2; gcc -O2 -I. bench/dw_remote.c -lm -lpthread)
 */
#define _GNU_SOURCE
#define HANT_IMPLEMENTATION
#include "hant.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
typedef struct { float *p; int H, W, C, other, chs; } wr_arg;
static void wr_task(void *arg, int tid, int nt) {
    wr_arg *a = (wr_arg *)arg;
    int t = a->other ? nt - 1 - tid : tid;
    if (a->chs) {
        int c0 = a->C / nt * t, c1 = a->C / nt * (t + 1);
        for (int i = 0; i < a->H * a->W; i++)
            for (int c = c0; c < c1; c++) a->p[(size_t)i * a->C + c] = 0.5f;
    } else {
        int64_t b, e;
        hant__split(a->H, 1, t, nt, &b, &e);
        for (size_t i = (size_t)b * a->W * a->C; i < (size_t)e * a->W * a->C; i++) a->p[i] = 0.5f;
    }
}
int main(int argc, char **argv) {
    int R = argc > 1 ? atoi(argv[1]) : 1000;
    if (R < 10) R = 10;
    hant_config cfg = { 2, 0, { 0 }, 0 };
    hant_context *ctx;
    if (hant_context_create(&cfg, &ctx)) return 1;
    static const int shapes[2][2] = { { 14, 384 }, { 7, 960 } };
    static const char *names[] = { "back-to-back", "x own part written", "x other's part written", "x own, y other's written", "1 thread, x written" };
    double *t = (double *)malloc(8 * (size_t)R);
    for (int si = 0; si < 2; si++) {
        int H = shapes[si][0], C = shapes[si][1], chs = H == 7;
        hant_conv_shape s;
        memset(&s, 0, sizeof s);
        s.n = 1; s.h = H; s.w = H; s.cin = C; s.cout = C; s.kernel = 3; s.stride = 1; s.groups = C;
        size_t n = (size_t)H * H * C;
        float *x = (float *)hant_alloc(ctx, n * 4), *y = (float *)hant_alloc(ctx, n * 4), *w = (float *)hant_alloc(ctx, 36 * (size_t)C),
              *b = (float *)hant_alloc(ctx, 4 * (size_t)C);
        for (size_t i = 0; i < n; i++) x[i] = 0.5f;
        for (int i = 0; i < 9 * C; i++) w[i] = 0.1f;
        for (int i = 0; i < C; i++) b[i] = 0.0f;
        for (int sc = 0; sc < 5; sc++) {
            for (int r = 0; r < R; r++) {
                wr_arg xa = { x, H, H, C, sc == 2, chs }, ya = { y, H, H, C, 1, chs };
                if (sc >= 1 && sc <= 3) hant__run(ctx, wr_task, &xa);
                if (sc == 3) hant__run(ctx, wr_task, &ya);
                if (sc == 4)
                    for (size_t i = 0; i < n; i++) x[i] = 0.5f;
                double t0 = hant_time_ms();
                if (sc == 4) {
                    hant__conv_args a;
                    hant__conv_setup(&a, ctx, &s);
                    a.x = x; a.w = w; a.bias = b; a.act = HANT_ACT_RELU6; a.y = y;
                    hant__dwconv_forward_rows(&a, 0, H);
                } else hant_conv_forward(ctx, &s, x, w, b, HANT_ACT_RELU6, NULL, y);
                t[r] = (hant_time_ms() - t0) * 1e3;
            }
            qsort(t, (size_t)R, 8, cmpd);
            printf("%dx%dx%d %-26s %6.1f us (p10 %.1f, p90 %.1f)\n", H, H, C, names[sc], t[R / 2], t[R / 10], t[R * 9 / 10]);
        }
        hant_free(ctx, x); hant_free(ctx, y); hant_free(ctx, w); hant_free(ctx, b);
    }
    free(t);
    hant_context_destroy(ctx);
    return 0;
}
