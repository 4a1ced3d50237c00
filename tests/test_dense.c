/* The dense convs' implicit GEMM (>>conv) against the scalar reference conv,
   on the shapes its special cases take: row tiles (an output row of MR - 1
   pixels, one tile per row, taps in the padding skipped whole or for the
   edge row), K sub-blocks past HANT__IG_KS and HANT__KC, channel tails, stride
   2, batches (threads split rows at row boundaries) and 1 and 2 threads (a
   batch-1 map splits output channels), with bias, activations and residual;
   weights packed as a network holds them and not. And the direct path of the
   shallow convs (stems). */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"

static hant_context *ctx1, *ctx2;

static void check(int n, int h, int w, int cin, int cout, int k, int stride, int variant) {
    hant_conv_shape s = { n, h, w, cin, cout, k, stride, 1 };
    int oh = hant_conv_out(h, k, stride), ow = hant_conv_out(w, k, stride);
    size_t nx = (size_t)n * h * w * cin, ny = (size_t)n * oh * ow * cout, nw = (size_t)k * k * cin * cout;
    int kd = k * k * cin;
    float *x = malloc(nx * 4), *wt = malloc(nw * 4), *b = malloc((size_t)cout * 4), *res = malloc(ny * 4);
    float *y = malloc(ny * 4), *r = malloc(ny * 4), *pw = malloc(hant__gemm_packed_b_floats(cout, kd) * 4);
    ht_seed((unsigned long long)(n * 7 + h * 131 + w * 17 + cin * 3 + cout * 5 + k * 11 + stride + variant));
    ht_fill(x, nx, -1, 1); ht_fill(wt, nw, -0.5f, 0.5f); ht_fill(b, (size_t)cout, -1, 1); ht_fill(res, ny, -1, 1);
    hant_act act = variant == 0 ? HANT_ACT_NONE : variant == 1 ? HANT_ACT_RELU : HANT_ACT_SILU;
    const float *bias = variant ? b : NULL, *rs = variant == 2 ? res : NULL;
    ht_ref_conv(&s, x, wt, bias, act, rs, r);
    hant__gemm_pack_b_full(0, cout, kd, wt, cout, pw);
    for (int t = 0; t < 4; t++) {
        memset(y, 0xff, ny * 4); /* NaN: every output must be written */
        if (t < 2) hant__conv_forward_packed(t ? ctx2 : ctx1, &s, x, wt, pw, bias, act, rs, y);
        else hant_conv_forward(t == 3 ? ctx2 : ctx1, &s, x, wt, bias, act, rs, y);
        size_t at;
        double e = ht_max_err_ratio(y, r, ny, 1e-5 * sqrt((double)kd), 1e-5, &at);
        HT_CHECK(e <= 1, "n%d %dx%d %d->%d k%d s%d act %s res %d threads %d %s: err ratio %g at %zu (%g vs %g)", n, h, w, cin, cout, k,
                 stride, hant_act_name(act), rs != NULL, t % 2 + 1, t < 2 ? "packed" : "unpacked", e, at, y[at], r[at]);
    }
    free(x); free(wt); free(b); free(res); free(y); free(r); free(pw);
}

static void test_row_tiles(void) {
    const int m = HANT__MR - 1; /* the row-tile width of this build */
    HT_CHECK(m != HANT__MR / 2, "row tiles need MR - 1 > MR / 2");
    static const int shapes[][6] = { /* n, cin, cout, k, stride, output rows */
        { 1, 64, 80, 3, 1, 0 },   /* batch 1: channels split at 2 threads; a tail panel */
        { 1, 300, 40, 3, 1, 0 },  /* K past HANT__KC, not a multiple of HANT__IG_KS */
        { 1, 64, 40, 3, 1, 0 },   /* K 576: one packed K block (HANT__KC_ONE) */
        { 2, 72, 24, 3, 1, 0 },   /* K 648: two equal packed K blocks */
        { 3, 24, 20, 3, 1, 0 },   /* batch: rows split at row boundaries; one vector of channels */
        { 1, 40, 72, 3, 2, 0 },   /* stride 2: padding only at the top and left */
        { 2, 16, 36, 5, 1, 0 },   /* 5x5: two taps of padding per edge */
        { 1, 48, 64, 3, 1, 1 },   /* a map one row high */
        { 5, 32, 48, 3, 1, 3 },   /* M split with many rows per thread */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int *q = shapes[i];
        int rows = q[5] ? q[5] : m, st = q[4];
        for (int v = 0; v < 3; v++) check(q[0], rows * st - (st - 1), m * st - (st - 1), q[1], q[2], q[3], st, v);
    }
    /* widths beside the row tile: ordinary MR tiles with the padding skip */
    for (int v = 0; v < 3; v++) {
        check(1, 7, m + 1, 64, 48, 3, 1, v);
        check(2, 5, m - 1 > 0 ? m - 1 : 1, 40, 40, 3, 1, v);
        check(1, 9, 9, 520, 64, 3, 1, v);
        check(1, 1, 1, 64, 64, 3, 1, v); /* every tap but the centre in the padding */
    }
}

/* The direct path of shallow convs (stems, depth kh*kw*cin <= 32): widths that leave 0-3
   interior pixels after the groups of four, channel tails, row parts split between threads
   mid-row. */
static void test_direct(void) {
    for (int w = 9; w <= 16; w++)
        for (int v = 0; v < 3; v++) {
            check(1, 11, w * 2, 3, 64, 7, 2, v);      /* resnet stem: 7x7/2, 3 -> 64 */
            check(2, 7, w * 2 + 1, 3, 32, 3, 2, v);  /* MBConv stem: 3x3/2, 3 -> 32 */
        }
    for (int v = 0; v < 3; v++) {
        check(1, 5, 13, 1, 40, 5, 1, v);  /* one channel in, a tail of channels out */
        check(3, 6, 7, 2, 20, 3, 1, v);
    }
}

/* The stem's 3x3/2 max-pool (>>exec) against its scalar reference: even and odd sizes (the
   clamped edge taps), channel tails, batches, 1 and 2 threads. */
static void maxpool_ref(const float *x, int n, int H, int W, int C, float *y) {
    int OH = hant_conv_out(H, 3, 2), OW = hant_conv_out(W, 3, 2);
    for (int i = 0; i < n; i++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int c = 0; c < C; c++) {
                    float m = -INFINITY;
                    for (int ih = HANT__MAX(0, 2 * oh - 1); ih < HANT__MIN(H, 2 * oh + 2); ih++)
                        for (int iw = HANT__MAX(0, 2 * ow - 1); iw < HANT__MIN(W, 2 * ow + 2); iw++)
                            m = HANT__MAX(m, x[(((size_t)i * H + ih) * W + iw) * C + c]);
                    y[(((size_t)i * OH + oh) * OW + ow) * C + c] = m;
                }
}

static void test_maxpool(void) {
    static const int sh[][4] = { { 1, 12, 12, 64 }, { 2, 7, 9, 20 }, { 1, 1, 1, 3 }, { 3, 2, 5, 33 }, { 1, 13, 6, 16 } };
    for (size_t k = 0; k < sizeof sh / sizeof sh[0]; k++) {
        int n = sh[k][0], H = sh[k][1], W = sh[k][2], C = sh[k][3], OH = hant_conv_out(H, 3, 2), OW = hant_conv_out(W, 3, 2);
        size_t nx = (size_t)n * H * W * C, ny = (size_t)n * OH * OW * C;
        float *x = malloc(nx * 4), *y = malloc(ny * 4), *r = malloc(ny * 4);
        ht_seed(k + 1);
        ht_fill(x, nx, -1, 1);
        maxpool_ref(x, n, H, W, C, r);
        for (int t = 0; t < 2; t++) {
            memset(y, 0xff, ny * 4);
            hant__maxpool_forward(t ? ctx2 : ctx1, x, n, H, W, C, y);
            HT_CHECK(memcmp(y, r, ny * 4) == 0, "maxpool n%d %dx%d c%d threads %d differs", n, H, W, C, t + 1);
        }
        free(x); free(y); free(r);
    }
}

/* The standalone activation split over 2 threads: the same bits as one call (chunks start at
   multiples of 16 floats, so each element takes the same vector or tail path). */
static void test_act_mt(void) {
    size_t n = 40000 + 5;
    float *x = malloc(n * 4), *y = malloc(n * 4), *r = malloc(n * 4);
    ht_seed(77);
    ht_fill(x, n, -6, 6);
    for (int a = 0; a < HANT_ACT_COUNT; a++) {
        hant_act_forward((hant_act)a, x, r, n);
        memset(y, 0xff, n * 4);
        hant__act_forward_mt(ctx2, (hant_act)a, x, y, n);
        HT_CHECK(memcmp(y, r, n * 4) == 0, "act %s over 2 threads differs", hant_act_name((hant_act)a));
    }
    free(x); free(y); free(r);
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config c1 = { 1, 0, { 0 }, 0 }, c2 = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&c1, &ctx1) || hant_context_create(&c2, &ctx2)) { printf("context: %s\n0 passed, 1 failed\n", hant_last_error()); return 1; }
    HT_RUN(test_row_tiles);
    HT_RUN(test_direct);
    HT_RUN(test_maxpool);
    HT_RUN(test_act_mt);
    hant_context_destroy(ctx1);
    hant_context_destroy(ctx2);
    return HT_SUMMARY();
}
