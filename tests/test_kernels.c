/* Kernels against naive scalar references, backward passes against finite
   differences, whole networks against a reference forward. Runs on whatever
   SIMD path the build selected (make SIMD=native|avx2|none). */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"

static hant_context *ctx1, *ctx2; /* 1 and 2 threads */

/* ---- references (double accumulation) ------------------------------------ */
static double ref_act_grad(hant_act a, double x) {
    double s;
    switch (a) {
    case HANT_ACT_NONE: return 1;
    case HANT_ACT_RELU: return x > 0;
    case HANT_ACT_RELU6: return x > 0 && x < 6;
    case HANT_ACT_SILU: s = 1 / (1 + exp(-x)); return s * (1 + x * (1 - s));
    case HANT_ACT_HSWISH: return x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6;
    case HANT_ACT_SIGMOID: s = 1 / (1 + exp(-x)); return s * (1 - s);
    case HANT_ACT_HSIGMOID: return x > -3 && x < 3 ? 1.0 / 6 : 0;
    }
    return 1;
}

static void ref_conv_backward(const hant_conv_shape *s, const float *x, const float *w, const float *dy, double *dx, double *dw) {
    int g = s->groups ? s->groups : 1, cg = s->cin / g, og = s->cout / g, K = s->kernel, P = K / 2;
    int OH = hant_conv_out(s->h, K, s->stride), OW = hant_conv_out(s->w, K, s->stride);
    for (int n = 0; n < s->n; n++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int co = 0; co < s->cout; co++) {
                    double gy = dy[(((size_t)n * OH + oh) * OW + ow) * s->cout + co];
                    int gi = co / og;
                    for (int kh = 0; kh < K; kh++)
                        for (int kw = 0; kw < K; kw++) {
                            int ih = oh * s->stride - P + kh, iw = ow * s->stride - P + kw;
                            if (ih < 0 || ih >= s->h || iw < 0 || iw >= s->w) continue;
                            for (int ci = 0; ci < cg; ci++) {
                                size_t xi = (((size_t)n * s->h + ih) * s->w + iw) * s->cin + gi * cg + ci;
                                size_t wi = (((size_t)kh * K + kw) * cg + ci) * s->cout + co;
                                dx[xi] += gy * w[wi];
                                dw[wi] += gy * x[xi];
                            }
                        }
                }
}

static size_t conv_in_size(const hant_conv_shape *s) { return (size_t)s->n * s->h * s->w * s->cin; }
static size_t conv_out_size(const hant_conv_shape *s) {
    return (size_t)s->n * hant_conv_out(s->h, s->kernel, s->stride) * hant_conv_out(s->w, s->kernel, s->stride) * s->cout;
}
static size_t conv_w_size(const hant_conv_shape *s) {
    int g = s->groups ? s->groups : 1;
    return (size_t)s->kernel * s->kernel * (s->cin / g) * s->cout;
}

/* A spread of shapes: pointwise, depthwise k3/5/7, dense, grouped, odd channels. */
static const hant_conv_shape conv_shapes[] = {
    /* n  h  w  cin cout k s g */
    { 1, 7, 5, 3, 5, 1, 1, 1 },      { 2, 6, 6, 24, 40, 1, 1, 1 },   { 1, 3, 3, 1152, 40, 1, 1, 1 },
    { 1, 2, 2, 40, 1152, 1, 1, 1 },  { 3, 5, 4, 17, 33, 1, 2, 1 },   { 1, 1, 1, 1, 1, 1, 1, 1 },
    { 1, 9, 9, 1, 1, 3, 1, 1 },      { 2, 8, 7, 24, 24, 3, 1, 24 },  { 1, 9, 9, 40, 40, 5, 2, 40 },
    { 1, 11, 11, 3, 3, 7, 1, 3 },    { 1, 6, 6, 1152, 1152, 5, 1, 1152 }, { 2, 7, 7, 19, 19, 3, 2, 19 },
    { 1, 8, 8, 33, 33, 7, 2, 33 },   { 2, 10, 10, 1, 32, 3, 1, 1 },  { 1, 9, 7, 3, 32, 3, 2, 1 },
    { 1, 6, 6, 24, 40, 5, 1, 1 },    { 1, 5, 5, 40, 24, 3, 2, 1 },   { 1, 6, 6, 16, 24, 3, 1, 4 },
    { 1, 6, 6, 12, 18, 5, 2, 2 },    { 2, 4, 4, 8, 8, 3, 1, 2 },     { 3, 9, 8, 21, 21, 5, 2, 21 },
    { 5, 6, 7, 40, 40, 7, 1, 40 },
    /* 1x1 weight gradient: rows past its K blocks, M and N tails; narrow projections through dW^T */
    { 2, 17, 17, 19, 70, 1, 1, 1 }, { 2, 9, 9, 96, 24, 1, 1, 1 }, { 1, 5, 7, 144, 40, 1, 1, 1 },
    /* shallow dense convs (depth <= 32) run the direct kernel: 4-pixel tiles, cout tails */
    { 2, 13, 11, 2, 40, 3, 1, 1 },   { 1, 14, 14, 3, 45, 3, 2, 1 },  { 1, 28, 28, 1, 32, 3, 1, 1 },
    /* implicit GEMM (dense, groups 1, deeper): K blocks that split kernel rows and taps (cin 64, 300),
       odd channels, stride 2, tiny maps (all but the centre tap outside), tiles across images, N past NC */
    { 2, 9, 7, 64, 40, 3, 1, 1 },    { 1, 11, 13, 37, 19, 3, 2, 1 }, { 1, 1, 1, 48, 24, 3, 1, 1 },
    { 1, 15, 15, 3, 17, 7, 2, 1 },   { 1, 4, 4, 300, 33, 3, 1, 1 },  { 1, 3, 3, 8, 1100, 3, 1, 1 },
    { 3, 5, 5, 20, 70, 1, 2, 1 },    { 1, 2, 3, 33, 7, 5, 2, 1 },
    /* depthwise: border pixels four channel vectors at a time and their tail (72), interior tiles of two
       vectors with a partial second one (56 on AVX-512), a 7x7 map with 5x5 taps (no interior run) */
    { 1, 7, 7, 72, 72, 5, 1, 72 },   { 2, 12, 11, 56, 56, 3, 1, 56 }, { 1, 13, 13, 120, 120, 3, 2, 120 },
    /* depthwise interior tiles with the taps and stride as constants (3x3 and 5x5, strides 1 and 2): several
       tiles per row, row tails, channel tails of one and of two vectors */
    { 1, 14, 19, 40, 40, 3, 1, 40 }, { 2, 17, 18, 24, 24, 3, 2, 24 }, { 1, 16, 21, 44, 44, 5, 1, 44 },
    { 1, 19, 16, 12, 12, 5, 2, 12 },
    /* depthwise in channel blocks (192 + 104, 224 + 76 channels) */
    { 1, 9, 14, 296, 296, 3, 1, 296 }, { 2, 8, 7, 300, 300, 5, 2, 300 },
    /* packed 1x1 with N panels that do not divide between 2 threads (5 on AVX-512, 11 on AVX2): split by tiles */
    { 1, 7, 7, 576, 160, 1, 1, 1 }, { 1, 5, 7, 400, 176, 1, 1, 1 },
};
#define NSHAPES ((int)(sizeof conv_shapes / sizeof conv_shapes[0]))

/* ---- tests -------------------------------------------------------------- */
static void test_gemm(void) {
    const int dims[][3] = { { 1, 1, 1 }, { 7, 9, 5 }, { 8, 32, 16 }, { 9, 33, 17 }, { 13, 17, 300 }, { 100, 70, 257 },
                            { 3, 1280, 320 }, { 300, 5, 2 }, { 65, 129, 513 }, { 1, 1000, 1280 },
                            { 2, 37, 50 }, { 1, 100, 300 }, { 1, 16, 7 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int bi = 0; bi < 2; bi++) {
                    int m = dims[d][0], n = dims[d][1], k = dims[d][2];
                    float beta = bi ? 1.0f : 0.0f;
                    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                    float *a = malloc(sizeof(float) * (size_t)lda * (ta ? k : m));
                    float *b = malloc(sizeof(float) * (size_t)ldb * (tb ? n : k));
                    float *c = malloc(sizeof(float) * (size_t)ldc * m), *r = malloc(sizeof(float) * (size_t)ldc * m);
                    ht_fill(a, (size_t)lda * (ta ? k : m), -1, 1);
                    ht_fill(b, (size_t)ldb * (tb ? n : k), -1, 1);
                    ht_fill(c, (size_t)ldc * m, -1, 1);
                    memcpy(r, c, sizeof(float) * (size_t)ldc * m);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            double acc = 0;
                            for (int p = 0; p < k; p++)
                                acc += (double)(ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p]) * (tb ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j]);
                            r[(size_t)i * ldc + j] = (float)(acc + beta * r[(size_t)i * ldc + j]);
                        }
                    hant_gemm(d % 2 ? ctx2 : ctx1, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
                    double worst = 0;
                    for (int i = 0; i < m; i++) {
                        double e = ht_max_err_ratio(c + (size_t)i * ldc, r + (size_t)i * ldc, (size_t)n, 1e-4 * sqrt(k), 1e-5, NULL);
                        if (e > worst) worst = e;
                    }
                    HT_CHECK(worst <= 1, "gemm %dx%dx%d ta=%d tb=%d beta=%g err ratio %g", m, n, k, ta, tb, beta, worst);
                    /* the padding columns of C must be untouched */
                    for (int i = 0; i < m; i++) HT_CHECK(c[(size_t)i * ldc + n] == r[(size_t)i * ldc + n], "gemm wrote past n");
                    free(a); free(b); free(c); free(r);
                }
}

/* Squeeze-excite's pooling (pixel rows split across threads, partial sums
   added in thread order) and gating, against double sums: few channels on a
   large map, channel tails, several images, tiny tensors that stay serial. */
static void test_se_pool(void) {
    const int dims[][3] = { { 1, 12544, 32 }, { 3, 49, 1152 }, { 2, 196, 72 }, { 1, 9, 13 }, { 5, 37, 21 }, { 2, 3136, 24 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        float *s1 = NULL;
        for (int t = 0; t < 2; t++) {
            int n = dims[d][0], hw = dims[d][1], C = dims[d][2];
            size_t nx = (size_t)n * hw * C;
            float *x = malloc(nx * 4), *g = malloc((size_t)n * C * 4), *s = malloc((size_t)n * C * 4), *y = malloc(nx * 4);
            ht_seed(40 + (int)d);
            ht_fill(x, nx, -1, 1); ht_fill(g, (size_t)n * C, 0, 1);
            hant__se_pass(t ? ctx2 : ctx1, hant__gap_task, x, NULL, n, hw, C, s);
            hant__se_pass(t ? ctx2 : ctx1, hant__scale_task, x, g, n, hw, C, y);
            double worst = 0, worst_y = 0;
            for (int i = 0; i < n; i++)
                for (int c = 0; c < C; c++) {
                    double acc = 0;
                    for (int p = 0; p < hw; p++) acc += x[((size_t)i * hw + p) * C + c];
                    double e = fabs(s[(size_t)i * C + c] - acc / hw);
                    if (e > worst) worst = e;
                    for (int p = 0; p < hw; p++) {
                        size_t o = ((size_t)i * hw + p) * C + c;
                        double ey = fabs(y[o] - (double)x[o] * g[(size_t)i * C + c]);
                        if (ey > worst_y) worst_y = ey;
                    }
                }
            HT_CHECK(worst <= 1e-6 * sqrt(hw) + 1e-7 && worst_y <= 1e-6, "se pool n%d hw%d C%d threads %d: err %g, gating err %g", n, hw, C,
                     t + 1, worst, worst_y);
            /* fixed chunks: the same bits whatever the thread count */
            if (t) HT_CHECK(memcmp(s, s1, (size_t)n * C * 4) == 0, "se pool n%d hw%d C%d: 1 and 2 threads differ", n, hw, C);
            free(x); free(g); free(y);
            if (t) free(s); else s1 = s;
        }
        free(s1);
    }
}

static void test_act_forward(void) {
    enum { N = 4099 };
    float x[N], y[N];
    for (int i = 0; i < N; i++) x[i] = -100.0f + 200.0f * i / (N - 1);
    x[0] = -1e30f; x[1] = 1e30f; x[2] = 0.0f; x[3] = -3.0f; x[4] = 3.0f; x[5] = 6.0f;
    for (int a = 0; a < HANT_ACT_COUNT; a++) {
        hant_act_forward((hant_act)a, x, y, N);
        int bad = 0;
        for (int i = 0; i < N; i++) {
            double r = ht_ref_act((hant_act)a, x[i]);
            if (!HT_CLOSE(y[i], r, 1e-6, 2e-6) && !(isnan(r) && isnan(y[i]))) { if (!bad) HT_CHECK(0, "%s(%g) = %g, want %g", hant_act_name((hant_act)a), x[i], y[i], r); bad++; }
        }
        HT_CHECK(bad == 0, "%s: %d mismatches", hant_act_name((hant_act)a), bad);
    }
}

/* The vector sigmoid and SiLU (hant__v_sigmoid, shared by every SiLU epilogue)
   against the scalar expf form on a dense grid: relative error within 1e-6
   where |x| <= 87 (measured: 4.5e-7); beyond, where both clamp, 1e-6 absolute for
   the sigmoid and relative to |x| for SiLU (x sigmoid(x) near x carries x's scale). */
static void test_sigmoid(void) {
    enum { N = 1 << 18 };
    static float x[N], y[N], z[N];
    for (int i = 0; i < N; i++) x[i] = -95.0f + 190.0f * ((float)i + 0.37f) / N;
    for (int i = 0; i < N; i += HANT__VL) {
        int n = HANT__MIN(HANT__VL, N - i);
        hant__v_storep(y + i, hant__v_sigmoid(hant__v_loadp(x + i, n)), n);
        hant__v_storep(z + i, hant__v_act(hant__v_loadp(x + i, n), HANT_ACT_SILU), n);
    }
    double worst = 0, wx = 0, wabs = 0;
    for (int i = 0; i < N; i++) {
        double s = 1.0f / (1.0f + expf(-x[i])), es = fabs(y[i] - s), ez = fabs(z[i] - x[i] * s);
        if (fabs(x[i]) > 87.0f) { wabs = HANT__MAX(wabs, HANT__MAX(es, ez / fabs(x[i]))); continue; }
        double e = HANT__MAX(es / s, s > 0 && x[i] != 0 ? ez / fabs(x[i] * s) : 0);
        if (e > worst) { worst = e; wx = x[i]; }
    }
    HT_CHECK(worst < 1e-6, "sigmoid/SiLU max rel error %.3g at x = %g", worst, wx);
    HT_CHECK(wabs < 1e-6, "sigmoid/SiLU beyond |x| = 87: max abs error %.3g", wabs);
}

static void test_act_backward(void) {
    enum { N = 1003 };
    float u[N], dy[N], du[N];
    ht_seed(3);
    ht_fill(u, N, -8, 8);
    ht_fill(dy, N, -1, 1);
    for (int a = 0; a < HANT_ACT_COUNT; a++) {
        hant_act_backward((hant_act)a, u, dy, du, N);
        int bad = 0;
        for (int i = 0; i < N; i++) {
            double r = dy[i] * ref_act_grad((hant_act)a, u[i]);
            if (!HT_CLOSE(du[i], r, 1e-6, 1e-5)) bad++;
            /* finite differences of the forward, away from kinks */
            double h = 1e-3, x = u[i];
            if (fabs(x) < 2e-3 || fabs(x - 6) < 2e-3 || fabs(fabs(x) - 3) < 2e-3) continue;
            float xp = (float)(x + h), xm = (float)(x - h), yp, ym;
            hant_act_forward((hant_act)a, &xp, &yp, 1);
            hant_act_forward((hant_act)a, &xm, &ym, 1);
            double fd = dy[i] * ((double)yp - ym) / ((double)xp - xm);
            if (!HT_CLOSE(du[i], fd, 2e-3, 2e-3)) bad++;
        }
        HT_CHECK(bad == 0, "%s backward: %d mismatches", hant_act_name((hant_act)a), bad);
    }
}

static void test_conv_forward(void) {
    for (int si = 0; si < NSHAPES; si++)
        for (int variant = 0; variant < 3; variant++) {
            const hant_conv_shape *s = &conv_shapes[si];
            size_t nx = conv_in_size(s), ny = conv_out_size(s), nw = conv_w_size(s);
            float *x = malloc(nx * 4), *w = malloc(nw * 4), *b = malloc((size_t)s->cout * 4), *res = malloc(ny * 4);
            float *y = malloc(ny * 4), *r = malloc(ny * 4);
            ht_seed(100 + si);
            ht_fill(x, nx, -1, 1); ht_fill(w, nw, -0.5f, 0.5f); ht_fill(b, (size_t)s->cout, -1, 1); ht_fill(res, ny, -1, 1);
            hant_act act = variant == 0 ? HANT_ACT_NONE : variant == 1 ? HANT_ACT_SILU : HANT_ACT_RELU6;
            const float *bias = variant ? b : NULL, *rs = variant == 2 ? res : NULL;
            ht_ref_conv(s, x, w, bias, act, rs, r);
            int g = s->groups ? s->groups : 1;
            float *pw = NULL;
            if (g == 1) { /* t == 2: weights packed once, as a network holds them */
                int kd = s->kernel * s->kernel * s->cin;
                pw = malloc(hant__gemm_packed_b_floats(s->cout, kd) * 4);
                hant__gemm_pack_b_full(0, s->cout, kd, w, s->cout, pw);
            }
            for (int t = 0; t < (pw ? 3 : 2); t++) {
                memset(y, 0xff, ny * 4); /* NaN: every output must be written */
                if (t == 2) hant__conv_forward_packed(ctx2, s, x, w, pw, bias, act, rs, y);
                else hant_conv_forward(t ? ctx2 : ctx1, s, x, w, bias, act, rs, y);
                size_t at;
                double K = (double)s->kernel * s->kernel * s->cin / (s->groups ? s->groups : 1);
                double e = ht_max_err_ratio(y, r, ny, 1e-5 * sqrt(K), 1e-5, &at);
                HT_CHECK(e <= 1, "conv shape %d (n%d %dx%d %d->%d k%d s%d g%d) act %s threads %d%s: err ratio %g at %zu (%g vs %g)",
                         si, s->n, s->h, s->w, s->cin, s->cout, s->kernel, s->stride, s->groups, hant_act_name(act), t ? 2 : 1,
                         t == 2 ? " packed" : "", e, at, y[at], r[at]);
            }
            free(pw);
            free(x); free(w); free(b); free(res); free(y); free(r);
        }
}

/* A fast conv path against the tiles it replaces (run with *ref_switch set;
   they sum in the same order, so bit for bit) and against the double
   reference r, on 1 and 2 threads; y0 gets the tiles' output. */
static void ht_check_runs(const char *name, int *ref_switch, const hant_conv_shape *s, const float *x, const float *w, const float *bias, hant_act act,
                          const float *rs, const float *r, double abs_tol, float *y0) {
    size_t ny = conv_out_size(s);
    float *y = malloc(ny * 4);
    *ref_switch = 1;
    memset(y0, 0xff, ny * 4);
    hant_conv_forward(ctx1, s, x, w, bias, act, rs, y0);
    *ref_switch = 0;
    for (int t = 0; t < 2; t++) {
        memset(y, 0xff, ny * 4);
        hant_conv_forward(t ? ctx2 : ctx1, s, x, w, bias, act, rs, y);
        size_t at;
        double e = ht_max_err_ratio(y, r, ny, abs_tol, 1e-5, &at);
        HT_CHECK(e <= 1, "%s n%d %dx%d c%d->%d act %s threads %d: err ratio %g at %zu", name, s->n, s->h, s->w, s->cin, s->cout, hant_act_name(act), t + 1, e, at);
        HT_CHECK(memcmp(y, y0, ny * 4) == 0, "%s n%d %dx%d c%d->%d act %s threads %d: differs from the 4-pixel tiles", name, s->n, s->h, s->w, s->cin,
                 s->cout, hant_act_name(act), t + 1);
    }
    free(y);
}

/* One row times packed weights (the batch-1 classifier, hant__gemm_gemv_packed)
   against the tile path it replaces (hant__gemm_gemv_off; the same sums, so
   bit for bit: the tiled MBConv executor relies on it) and the double reference: K across KC blocks with odd
   tails, N tails, bias, activations and residual, 1 and 2 threads. */
static void test_gemm_gemv(void) {
    static const int dims[][2] = { { 1280, 1000 }, { 320, 40 }, { 257, 17 }, { 3, 33 }, { 1, 1 }, { 513, 96 } }; /* cin cout */
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (int variant = 0; variant < 3; variant++) {
            hant_conv_shape s = { 1, 1, 1, dims[d][0], dims[d][1], 1, 1, 1 };
            size_t nx = conv_in_size(&s), ny = conv_out_size(&s), nw = conv_w_size(&s);
            float *x = malloc(nx * 4), *w = malloc(nw * 4), *b = malloc((size_t)s.cout * 4), *res = malloc(ny * 4);
            float *y0 = malloc(ny * 4), *y = malloc(ny * 4), *r = malloc(ny * 4), *pw = malloc(hant__gemm_packed_b_floats(s.cout, s.cin) * 4);
            ht_seed(950 + (int)d);
            ht_fill(x, nx, -1, 1); ht_fill(w, nw, -0.5f, 0.5f); ht_fill(b, (size_t)s.cout, -1, 1); ht_fill(res, ny, -1, 1);
            hant_act act = variant == 0 ? HANT_ACT_NONE : variant == 1 ? HANT_ACT_SILU : HANT_ACT_RELU6;
            const float *bias = variant ? b : NULL, *rs = variant == 2 ? res : NULL;
            ht_ref_conv(&s, x, w, bias, act, rs, r);
            hant__gemm_pack_b_full(0, s.cout, s.cin, w, s.cout, pw);
            for (int t = 0; t < 2; t++)
                for (int off = 0; off < 2; off++) {
                    hant__gemm_gemv_off = off;
                    memset(off ? y0 : y, 0xff, ny * 4);
                    hant__conv_forward_packed(t ? ctx2 : ctx1, &s, x, w, pw, bias, act, rs, off ? y0 : y);
                    hant__gemm_gemv_off = 0;
                    size_t at;
                    double e = ht_max_err_ratio(off ? y0 : y, r, ny, 1e-5 * sqrt(s.cin), 1e-5, &at);
                    HT_CHECK(e <= 1, "gemv %s c%d->%d act %s threads %d: err ratio %g at %zu", off ? "tiles" : "row", s.cin, s.cout, hant_act_name(act), t + 1, e, at);
                }
            HT_CHECK(memcmp(y, y0, ny * 4) == 0, "gemv c%d->%d act %s: row and tiles not bit for bit", s.cin, s.cout, hant_act_name(act));
            free(x); free(w); free(b); free(res); free(y0); free(y); free(r); free(pw);
        }
}

/* A 1x1 conv case (dims: h w cin cout) for the GEMM tile tests: input,
   weights (also packed), bias and residual, the activation of the variant
   (0 none, 1 SiLU + bias, 2 ReLU6 + bias + residual), and the double reference r. */
typedef struct {
    hant_conv_shape s;
    size_t ny;
    float *x, *w, *b, *res, *y0, *r, *pw, *bias, *rs;
    hant_act act;
} conv_case;
static void conv_case_init(conv_case *c, const int dims[4], int variant, int seed) {
    hant_conv_shape s = { 1, dims[0], dims[1], dims[2], dims[3], 1, 1, 1 };
    size_t nx = conv_in_size(&s), ny = conv_out_size(&s), nw = conv_w_size(&s);
    c->s = s; c->ny = ny;
    c->x = malloc(nx * 4); c->w = malloc(nw * 4); c->b = malloc((size_t)s.cout * 4); c->res = malloc(ny * 4);
    c->y0 = malloc(ny * 4); c->r = malloc(ny * 4); c->pw = malloc(hant__gemm_packed_b_floats(s.cout, s.cin) * 4);
    ht_seed(seed);
    ht_fill(c->x, nx, -1, 1); ht_fill(c->w, nw, -0.5f, 0.5f); ht_fill(c->b, (size_t)s.cout, -1, 1); ht_fill(c->res, ny, -1, 1);
    c->act = variant == 0 ? HANT_ACT_NONE : variant == 1 ? HANT_ACT_SILU : HANT_ACT_RELU6;
    c->bias = variant ? c->b : NULL; c->rs = variant == 2 ? c->res : NULL;
    ht_ref_conv(&s, c->x, c->w, c->bias, c->act, c->rs, c->r);
}
static void conv_case_free(conv_case *c) { free(c->x); free(c->w); free(c->b); free(c->res); free(c->y0); free(c->r); free(c->pw); }

/* A depthwise case (dims: n h w c k stride), in the conv_case layout: input,
   weights, bias, residual, one output y0, the variant's activation (as
   conv_case) and the double reference r; pw unused. */
static void dw_case_init(conv_case *c, const int dims[6], int variant, int seed) {
    hant_conv_shape s = { dims[0], dims[1], dims[2], dims[3], dims[3], dims[4], dims[5], dims[3] };
    size_t nx = conv_in_size(&s), ny = conv_out_size(&s), nw = conv_w_size(&s);
    c->s = s; c->ny = ny; c->pw = NULL;
    c->x = malloc(nx * 4); c->w = malloc(nw * 4); c->b = malloc((size_t)s.cin * 4); c->res = malloc(ny * 4);
    c->y0 = malloc(ny * 4); c->r = malloc(ny * 4);
    ht_seed(seed);
    ht_fill(c->x, nx, -1, 1); ht_fill(c->w, nw, -0.5f, 0.5f); ht_fill(c->b, (size_t)s.cin, -1, 1); ht_fill(c->res, ny, -1, 1);
    c->act = variant == 0 ? HANT_ACT_NONE : variant == 1 ? HANT_ACT_SILU : HANT_ACT_RELU6;
    c->bias = variant ? c->b : NULL; c->rs = variant == 2 ? c->res : NULL;
    ht_ref_conv(&s, c->x, c->w, c->bias, c->act, c->rs, c->r);
}

/* 1x1 convs with small K (the expansions: K <= HANT__STRIP_K in one block)
   write MR-row strips across whole NR panels (hant__md_strip): against the
   tiles one by one (hant__gemm_strip_off, the same sums, so bit for bit) and
   the double reference; M and N tails, K 1 to past the limit, bias,
   activations and residual, weights packed or not, 1 and 2 threads. */
static void test_gemm_strip(void) {
    static const int dims[][4] = { /* h w cin cout */
        { 14, 16, 16, 96 }, { 7, 9, 24, 144 }, { 5, 13, 16, 40 }, { 3, 11, 64, 24 }, { 4, 7, 65, 48 }, { 6, 6, 1, 33 }, { 2, 3, 32, 1100 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (int variant = 0; variant < 3; variant++) {
            conv_case c;
            conv_case_init(&c, dims[d], variant, 900 + (int)d);
            hant_conv_shape s = c.s;
            size_t ny = c.ny;
            float *x = c.x, *w = c.w, *y0 = c.y0, *r = c.r, *pw = c.pw, *bias = c.bias, *rs = c.rs;
            hant_act act = c.act;
            ht_check_runs("strip", &hant__gemm_strip_off, &s, x, w, bias, act, rs, r, 1e-5 * sqrt(s.cin), y0);
            hant__gemm_pack_b_full(0, s.cout, s.cin, w, s.cout, pw);
            for (int t = 0; t < 2; t++) { /* weights packed once, as a network holds them */
                float *y = malloc(ny * 4);
                memset(y, 0xff, ny * 4);
                hant__conv_forward_packed(t ? ctx2 : ctx1, &s, x, w, pw, bias, act, rs, y);
                HT_CHECK(memcmp(y, y0, ny * 4) == 0, "strip packed %dx%d c%d->%d act %s threads %d: differs", s.h, s.w, s.cin, s.cout,
                         hant_act_name(act), t + 1);
                free(y);
            }
            conv_case_free(&c);
        }
}

/* C = A B + 0.5 C (the first K block reads C) with a GEMM path and with its
   switch on (*off = 1: the MR-row tiles): the same bits. */
static void check_gemm_beta_switch(const char *name, int *off, int m, int n, int k, int seed) {
    float *a = malloc((size_t)m * k * 4), *w = malloc((size_t)k * n * 4), *c0 = malloc((size_t)m * n * 4), *c1 = malloc((size_t)m * n * 4);
    ht_seed(seed);
    ht_fill(a, (size_t)m * k, -1, 1); ht_fill(w, (size_t)k * n, -1, 1); ht_fill(c0, (size_t)m * n, -1, 1);
    memcpy(c1, c0, (size_t)m * n * 4);
    *off = 1;
    hant_gemm(ctx1, 0, 0, m, n, k, a, k, w, n, 0.5f, c0, n);
    *off = 0;
    hant_gemm(ctx1, 0, 0, m, n, k, a, k, w, n, 0.5f, c1, n);
    HT_CHECK(memcmp(c0, c1, (size_t)m * n * 4) == 0, "%s gemm beta 0.5 %dx%dx%d: differs from the MR-row tiles", name, m, k, n);
    free(a); free(w); free(c0); free(c1);
}

/* Panels no wider than one vector in 2 MR-row tiles (hant__md_tall, AVX2;
   elsewhere both runs take the MR-row tiles) against the MR-row tiles
   (hant__gemm_tall_off), bit for bit, and the double reference: N tails of
   8 and less, M tails, K across KC blocks (the C update), the activations,
   bias and residual, 1 and 2 threads; then C = A B + beta C through hant_gemm. */
static void test_gemm_tall(void) {
    hant__gemm_w3_off = 1; /* the 17-24 column tails take hant__md_w3 otherwise (test_gemm_w3) */
    static const int dims[][4] = { /* h w cin cout */
        { 9, 13, 144, 24 }, { 5, 11, 240, 40 }, { 7, 7, 300, 8 }, { 3, 5, 32, 16 }, { 4, 9, 20, 3 }, { 1, 13, 600, 40 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (int variant = 0; variant < 3; variant++) {
            conv_case c;
            conv_case_init(&c, dims[d], variant, 1400 + (int)d);
            hant_conv_shape s = c.s;
            float *x = c.x, *w = c.w, *y0 = c.y0, *r = c.r, *bias = c.bias, *rs = c.rs;
            hant_act act = c.act;
            ht_check_runs("tall", &hant__gemm_tall_off, &s, x, w, bias, act, rs, r, 1e-5 * sqrt(s.cin), y0);
            conv_case_free(&c);
        }
    /* beta != 0 (the first K block reads C), M = 29 rows, N = 24 and 8 */
    for (int n = 8; n <= 24; n += 16) check_gemm_beta_switch("tall", &hant__gemm_tall_off, 29, n, 70, 1450 + n);
    hant__gemm_w3_off = 0;
}

/* A GEMM path and its switch (*off = 1: the old tiles) on the shapes dims
   (h w cin cout), 3 variants each: both against the double reference and
   bit for bit, unpacked (ht_check_runs) and with the weights packed once as
   a network holds them, 1 and 2 threads. */
static void check_gemm_switch(const char *name, int *off, const int (*dims)[4], size_t ndims, int seed) {
    for (size_t d = 0; d < ndims; d++)
        for (int variant = 0; variant < 3; variant++) {
            conv_case c;
            conv_case_init(&c, dims[d], variant, seed + (int)d);
            hant_conv_shape s = c.s;
            size_t ny = c.ny;
            float *x = c.x, *w = c.w, *y0 = c.y0, *r = c.r, *pw = c.pw, *bias = c.bias, *rs = c.rs;
            hant_act act = c.act;
            ht_check_runs(name, off, &s, x, w, bias, act, rs, r, 1e-5 * sqrt(s.cin), y0);
            /* packed once (K in one block up to hant__kc_one: other sums than unpacked past KC), against its own twin */
            hant__gemm_pack_b_full(0, s.cout, s.cin, w, s.cout, pw);
            *off = 1;
            memset(y0, 0xff, ny * 4);
            hant__conv_forward_packed(ctx1, &s, x, w, pw, bias, act, rs, y0);
            *off = 0;
            for (int t = 0; t < 2; t++) {
                float *y = malloc(ny * 4);
                memset(y, 0xff, ny * 4);
                hant__conv_forward_packed(t ? ctx2 : ctx1, &s, x, w, pw, bias, act, rs, y);
                size_t at;
                double e = ht_max_err_ratio(y, r, ny, 1e-5 * sqrt(s.cin), 1e-5, &at);
                HT_CHECK(e <= 1, "%s packed %dx%d c%d->%d act %s threads %d: err ratio %g at %zu", name, s.h, s.w, s.cin, s.cout, hant_act_name(act), t + 1, e, at);
                HT_CHECK(memcmp(y, y0, ny * 4) == 0, "%s packed %dx%d c%d->%d act %s threads %d: differs", name, s.h, s.w, s.cin, s.cout,
                         hant_act_name(act), t + 1);
                free(y);
            }
            conv_case_free(&c);
        }
}

/* The last 17-24 columns in 4-row x 3-vector tiles (hant__md_w3, AVX2;
   elsewhere both runs take the same tiles) against the MR x NR and tall
   tiles (hant__gemm_w3_off), bit for bit, and the double reference: N = 24,
   40, 17 and 56, M tails of 1-3 rows, K in one block (below and past
   HANT__STRIP_K) and past KC (the old tiles), bias, activations and
   residual, 1 and 2 threads, weights packed once as a network holds them. */
static void test_gemm_w3(void) {
    static const int dims[][4] = { /* h w cin cout */
        { 9, 13, 144, 24 }, { 5, 11, 96, 40 }, { 7, 7, 72, 17 }, { 3, 5, 20, 24 }, { 1, 13, 300, 24 }, { 2, 3, 128, 56 } };
    check_gemm_switch("w3", &hant__gemm_w3_off, dims, sizeof dims / sizeof dims[0], 1500);
}

/* Rows in tiles of MR and MR - 1 where MR-row tiles leave a tail
   (hant__gemm_bal_rows: M = 49 on 7 x 7 maps) against MR-row tiles and their
   tail (hant__gemm_bal_off), bit for bit, and the double reference: M = 49,
   25, 11, 53, 196 and 9 (no change), N panels and tails (w3, tall, one-vector),
   K in one block and past KC (the C update), bias, activations and residual,
   1 and 2 threads, unpacked and with the weights packed once (the prefetching
   tiles, as a network at batch 1 runs them); then C = A B + beta C. */
static void test_gemm_bal(void) {
    static const int dims[][4] = { /* h w cin cout */
        { 7, 7, 160, 96 }, { 7, 7, 320, 48 }, { 5, 5, 72, 40 }, { 1, 11, 100, 8 }, { 14, 14, 96, 64 }, { 1, 53, 700, 33 },
        { 3, 3, 24, 32 }, { 7, 7, 30, 16 } };
    check_gemm_switch("bal", &hant__gemm_bal_off, dims, sizeof dims / sizeof dims[0], 1600);
    /* beta != 0 (the first K block reads C), M = 49 and 11, N = 40 */
    for (int m = 11; m <= 49; m += 38) check_gemm_beta_switch("bal", &hant__gemm_bal_off, m, 40, 90, 1650 + m);
}

/* Stride-2 depthwise convs with few output rows split by rows between 2
   threads (hant__dw_s2_rows), against the channel split (0) and one thread,
   bit for bit, and the double reference: odd row counts below 4 per thread,
   3x3 and 5x5, channel tails, bias, activations and residual. */
static void test_dw_s2_split(void) {
    static const int dims[][6] = { /* n h w c k stride */
        { 1, 14, 14, 576, 3, 2 }, { 1, 14, 14, 144, 5, 2 }, { 1, 13, 6, 200, 3, 2 }, { 1, 9, 9, 72, 3, 2 }, { 1, 10, 7, 67, 5, 2 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (int variant = 0; variant < 3; variant++) {
            conv_case c;
            dw_case_init(&c, dims[d], variant, 1700 + (int)d);
            hant_conv_shape s = c.s;
            size_t ny = c.ny;
            const float *x = c.x, *w = c.w, *bias = c.bias, *rs = c.rs, *r = c.r;
            hant_act act = c.act;
            float *y[3] = { c.y0, malloc(ny * 4), malloc(ny * 4) };
            for (int v = 0; v < 3; v++) { /* 0: 1 thread; 1: 2 threads by channels; 2: 2 threads by rows */
                hant__dw_s2_rows = v == 2;
                memset(y[v], 0xff, ny * 4);
                hant_conv_forward(v ? ctx2 : ctx1, &s, x, w, bias, act, rs, y[v]);
                size_t at;
                double e = ht_max_err_ratio(y[v], r, ny, 1e-5 * s.kernel, 1e-5, &at);
                HT_CHECK(e <= 1, "dw s2 split %dx%d c%d k%d act %s run %d: err ratio %g at %zu", s.h, s.w, s.cin, s.kernel, hant_act_name(act), v, e, at);
            }
            hant__dw_s2_rows = 1;
            HT_CHECK(memcmp(y[0], y[1], ny * 4) == 0 && memcmp(y[0], y[2], ny * 4) == 0, "dw s2 split %dx%d c%d k%d act %s: the splits differ", s.h,
                     s.w, s.cin, s.kernel, hant_act_name(act));
            free(y[1]); free(y[2]);
            conv_case_free(&c);
        }
}

/* A packed-weight GEMM case: A (m x k), W (k x n), bias, W packed, two outputs
   and the double reference of relu6(A W + bias) in r. */
typedef struct { float *a, *w, *b, *pw, *y0, *y, *r; } gemm_case;
static void gemm_case_init(gemm_case *c, int m, int k, int n, int seed) {
    c->a = malloc((size_t)m * k * 4); c->w = malloc((size_t)k * n * 4); c->b = malloc((size_t)n * 4);
    c->pw = malloc(hant__gemm_packed_b_floats(n, k) * 4);
    c->y0 = malloc((size_t)m * n * 4); c->y = malloc((size_t)m * n * 4); c->r = malloc((size_t)m * n * 4);
    ht_seed(seed);
    ht_fill(c->a, (size_t)m * k, -1, 1); ht_fill(c->w, (size_t)k * n, -0.5f, 0.5f); ht_fill(c->b, (size_t)n, -1, 1);
    hant__gemm_pack_b_full(0, n, k, c->w, n, c->pw);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double acc = c->b[j];
            for (int p = 0; p < k; p++) acc += (double)c->a[(size_t)i * k + p] * c->w[(size_t)p * n + j];
            c->r[(size_t)i * n + j] = (float)(acc < 0 ? 0 : acc > 6 ? 6 : acc);
        }
}
static void gemm_case_free(gemm_case *c) { free(c->a); free(c->w); free(c->b); free(c->pw); free(c->y0); free(c->y); free(c->r); }

/* The next-panel prefetch of packed weights (hant__gemm_pf_off: the twin) is
   only a hint: the same bits with and without it, on shapes whose panels end
   in N tails and K blocks (the prefetch then points at the next K block),
   M tails (half tiles), 1 and 2 threads, and against the double reference. */
static void test_gemm_pf(void) {
    static const int dims[][3] = { /* m k n */
        { 49, 960, 160 }, { 49, 160, 960 }, { 196, 96, 576 }, { 61, 300, 40 }, { 9, 70, 1000 }, { 13, 520, 24 }, { 49, 320, 1280 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        int m = dims[d][0], k = dims[d][1], n = dims[d][2];
        gemm_case gc;
        gemm_case_init(&gc, m, k, n, 1500 + (int)d);
        float *a = gc.a, *w = gc.w, *pw = gc.pw, *y0 = gc.y0, *y = gc.y, *r = gc.r;
        hant__epilogue ep = { gc.b, HANT_ACT_RELU6, NULL, 0 };
        for (int t = 0; t < 2; t++) {
            hant__gemm_args g;
            memset(&g, 0, sizeof g);
            g.m = m; g.n = n; g.k = k; g.a = a; g.lda = k; g.b = w; g.ldb = n; g.packed_b = pw; g.ldc = n; g.ep = &ep; g.ctx = t ? ctx2 : ctx1;
            hant__gemm_pf_off = 1;
            g.c = y0;
            memset(y0, 0xff, (size_t)m * n * 4);
            hant__gemm_run(&g);
            hant__gemm_pf_off = 0;
            g.c = y;
            memset(y, 0xff, (size_t)m * n * 4);
            hant__gemm_run(&g);
            HT_CHECK(ht_max_err_ratio(y, r, (size_t)m * n, 1e-5 * sqrt(k), 1e-5, NULL) <= 1, "pf %dx%dx%d threads %d: against the double reference", m, k, n, t + 1);
            HT_CHECK(memcmp(y, y0, (size_t)m * n * 4) == 0, "pf %dx%dx%d threads %d: differs without the prefetch", m, k, n, t + 1);
        }
        gemm_case_free(&gc);
    }
}

/* AVX-512 panels of 17-24 columns at inference (hant__md_n24: the last 8
   columns summed as even and odd k, another rounding) against the double
   reference and the MR x NR tiles (hant__gemm_n24_off) within the same
   bound; a band of rows run alone (a tiled block's band) gives its rows' bits
   of the whole GEMM; 1 and 2 threads the same bits. K odd or over one K
   block: the tiles. SiLU with a residual through the epilogue too. Without
   g.n24 (training's GEMMs) the tiles' bits. */
static void test_gemm_n24(void) {
    static const int dims[][3] = { /* m k n */
        { 168, 144, 24 }, { 61, 96, 24 }, { 29, 2, 24 }, { 13, 256, 20 }, { 9, 70, 17 }, { 37, 96, 56 }, { 20, 300, 24 }, { 11, 71, 24 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        int m = dims[d][0], k = dims[d][1], n = dims[d][2];
        gemm_case gc;
        gemm_case_init(&gc, m, k, n, 1600 + (int)d);
        float *res = malloc((size_t)m * n * 4), *ys = malloc((size_t)m * n * 4), *rs = malloc((size_t)m * n * 4);
        ht_fill(res, (size_t)m * n, -1, 1);
        for (int i = 0; i < m; i++) /* silu(A W + bias) + res in double */
            for (int j = 0; j < n; j++) {
                double acc = gc.b[j];
                for (int p = 0; p < k; p++) acc += (double)gc.a[(size_t)i * k + p] * gc.w[(size_t)p * n + j];
                rs[(size_t)i * n + j] = (float)(acc / (1 + exp(-acc)) + res[(size_t)i * n + j]);
            }
        for (int v = 0; v < 2; v++) {
            hant__epilogue ep = { gc.b, v ? HANT_ACT_SILU : HANT_ACT_RELU6, v ? res : NULL, n };
            const float *r = v ? rs : gc.r;
            hant__gemm_args g;
            memset(&g, 0, sizeof g);
            g.m = m; g.n = n; g.k = k; g.a = gc.a; g.lda = k; g.b = gc.w; g.ldb = n; g.packed_b = gc.pw; g.ldc = n; g.ep = &ep; g.ctx = ctx1;
            g.n24 = 1; /* as inference's GEMMs */
            hant__gemm_n24_off = 1;
            g.c = gc.y0;
            memset(gc.y0, 0xff, (size_t)m * n * 4);
            hant__gemm_run(&g);
            hant__gemm_n24_off = 0;
            HT_CHECK(ht_max_err_ratio(gc.y0, r, (size_t)m * n, 1e-5 * sqrt(k), 1e-5, NULL) <= 1, "n24 %dx%dx%d act %d: the tiles against the double reference", m, k, n, v);
            g.c = gc.y;
            memset(gc.y, 0xff, (size_t)m * n * 4);
            hant__gemm_run(&g);
            HT_CHECK(ht_max_err_ratio(gc.y, r, (size_t)m * n, 1e-5 * sqrt(k), 1e-5, NULL) <= 1, "n24 %dx%dx%d act %d: against the double reference", m, k, n, v);
            if (k % 2 || hant__kblock(k) < k) HT_CHECK(memcmp(gc.y, gc.y0, (size_t)m * n * 4) == 0, "n24 %dx%dx%d: K %d not for hant__md_n24, differs from the tiles", m, k, n, k);
            g.ctx = ctx2; g.c = ys;
            memset(ys, 0xff, (size_t)m * n * 4);
            hant__gemm_run(&g);
            HT_CHECK(memcmp(ys, gc.y, (size_t)m * n * 4) == 0, "n24 %dx%dx%d act %d: 2 threads differ from 1", m, k, n, v);
            memset(ys, 0xff, (size_t)m * n * 4); /* rows [5, m - 3) alone, as a band: not aligned to MR */
            g.ctx = ctx1;
            hant__gemm_serial(&g, 5, m - 3, 0, n);
            HT_CHECK(memcmp(ys + (size_t)5 * n, gc.y + (size_t)5 * n, (size_t)(m - 8) * n * 4) == 0, "n24 %dx%dx%d act %d: a band of rows differs", m, k, n, v);
            g.n24 = 0; g.c = ys;
            memset(ys, 0xff, (size_t)m * n * 4);
            hant__gemm_run(&g);
            HT_CHECK(memcmp(ys, gc.y0, (size_t)m * n * 4) == 0, "n24 %dx%dx%d act %d: without g.n24, differs from the tiles", m, k, n, v);
        }
        free(res); free(ys); free(rs);
        gemm_case_free(&gc);
    }
}

/* Packed weights in K blocks of hant__kblock (one block up to HANT__KC_ONE,
   equal blocks past it): K just below, at and above the one-block limit and
   twice it, narrow and odd N, many rows (a batch) and one (hant__gemm_gemv_packed),
   against the double reference; 2 threads the same bits as 1; one row the
   same bits as that row of the tiles; and the blocking before it (hant__kc_one
   0: 256-deep blocks) packed and read the same way within the same bound. */
static void test_gemm_kblock(void) {
    HT_CHECK(hant__kblock(HANT__KC_ONE) == HANT__KC_ONE && hant__kblock(HANT__KC_ONE - 8) == HANT__KC_ONE - 8, "K up to HANT__KC_ONE: one block");
    for (int k = 1; k < 3000; k++) { /* past the limit: equal blocks, multiples of 8, or HANT__KC */
        int kb = hant__kblock(k), nb = (k + kb - 1) / kb;
        int ok = k <= HANT__KC_ONE ? kb == k
                 : hant__kc_split ? kb <= HANT__KC_ONE && kb % 8 == 0 && nb == (k + HANT__KC_ONE - 1) / HANT__KC_ONE : kb == HANT__KC;
        if (!ok) { HT_CHECK(0, "hant__kblock(%d) = %d", k, kb); break; }
    }
    static const int dims[][3] = { /* m k n */
        { 196, HANT__KC_ONE - 8, 24 }, { 97, HANT__KC_ONE, 37 }, { 49, HANT__KC_ONE + 8, 96 }, { 392, HANT__KC_ONE, 64 },
        { 49, 2 * HANT__KC_ONE + 8, 33 }, { 13, 300, 24 }, { 1, HANT__KC_ONE, 1000 }, { 1, HANT__KC_ONE + 8, 40 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        int m = dims[d][0], k = dims[d][1], n = dims[d][2];
        float *ys = malloc((size_t)m * n * 4), *pw0 = malloc(hant__gemm_packed_b_floats(n, k) * 4);
        gemm_case gc;
        gemm_case_init(&gc, m, k, n, 1700 + (int)d);
        hant__epilogue ep = { gc.b, HANT_ACT_RELU6, NULL, 0 };
        hant__gemm_args g;
        memset(&g, 0, sizeof g);
        g.m = m; g.n = n; g.k = k; g.a = gc.a; g.lda = k; g.b = gc.w; g.ldb = n; g.packed_b = gc.pw; g.ldc = n; g.ep = &ep; g.ctx = ctx1;
        g.n24 = 1;
        g.c = gc.y;
        memset(gc.y, 0xff, (size_t)m * n * 4);
        hant__gemm_run(&g);
        HT_CHECK(ht_max_err_ratio(gc.y, gc.r, (size_t)m * n, 1e-5 * sqrt(k), 1e-5, NULL) <= 1, "kblock %dx%dx%d: against the double reference", m, k, n);
        g.ctx = ctx2; g.c = ys;
        memset(ys, 0xff, (size_t)m * n * 4);
        hant__gemm_run(&g);
        HT_CHECK(memcmp(ys, gc.y, (size_t)m * n * 4) == 0, "kblock %dx%dx%d: 2 threads differ from 1", m, k, n);
        if (m == 1) { /* the row's path against the tiles' (its twin) */
            hant__gemm_gemv_off = 1;
            g.ctx = ctx1;
            memset(ys, 0xff, (size_t)m * n * 4);
            hant__gemm_run(&g);
            hant__gemm_gemv_off = 0;
            HT_CHECK(memcmp(ys, gc.y, (size_t)m * n * 4) == 0, "kblock 1x%dx%d: the row differs from the tiles", k, n);
        }
        hant__kc_one = 0; /* 256-deep blocks, packed and read */
        hant__gemm_pack_b_full(0, n, k, gc.w, n, pw0);
        g.ctx = ctx1; g.packed_b = pw0; g.c = ys;
        memset(ys, 0xff, (size_t)m * n * 4);
        hant__gemm_run(&g);
        hant__kc_one = HANT__KC_ONE;
        HT_CHECK(ht_max_err_ratio(ys, gc.r, (size_t)m * n, 1e-5 * sqrt(k), 1e-5, NULL) <= 1, "kblock %dx%dx%d: 256-deep blocks against the double reference", m, k, n);
        if (k <= HANT__KC) HT_CHECK(memcmp(ys, gc.y, (size_t)m * n * 4) == 0, "kblock %dx%dx%d: one block either way, differs", m, k, n);
        gemm_case_free(&gc);
        free(ys); free(pw0);
    }
}

/* The threads split with chunks taken from per-part counters (hant__gemm_steal)
   against the static split, bit for bit: each split mode (N panels, M rows,
   tiles) on 2 threads, and one thread running both parts alone, as when the
   other thread starts late (it takes its own part, then steals the other's). */
static void test_gemm_steal(void) {
    static const int dims[][3] = { /* m k n */
        { 196, 64, 384 }, { 196, 384, 64 }, { 49, 960, 160 }, { 49, 160, 960 }, { 61, 300, 40 }, { 9, 70, 1000 }, { 130, 24, 144 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        int m = dims[d][0], k = dims[d][1], n = dims[d][2];
        gemm_case gc;
        gemm_case_init(&gc, m, k, n, 1300 + (int)d);
        float *a = gc.a, *w = gc.w, *pw = gc.pw, *y0 = gc.y0, *y = gc.y, *r = gc.r;
        hant__epilogue ep = { gc.b, HANT_ACT_RELU6, NULL, 0 };
        hant__gemm_args g;
        memset(&g, 0, sizeof g);
        g.m = m; g.n = n; g.k = k; g.a = a; g.lda = k; g.b = w; g.ldb = n; g.packed_b = pw; g.c = y0; g.ldc = n; g.ep = &ep; g.ctx = ctx1;
        hant__gemm_run(&g); /* one thread: the reference of the splits */
        HT_CHECK(ht_max_err_ratio(y0, r, (size_t)m * n, 1e-5 * sqrt(k), 1e-5, NULL) <= 1, "steal %dx%dx%d: one thread against the double reference", m, k, n);
        for (int off = 0; off < 2; off++) {
            g.ctx = ctx2; g.c = y;
            memset(y, 0xff, (size_t)m * n * 4);
            hant__gemm_steal_off = off;
            hant__gemm_run(&g);
            hant__gemm_steal_off = 0;
            HT_CHECK(memcmp(y, y0, (size_t)m * n * 4) == 0, "steal %dx%dx%d 2 threads steal_off %d: differs from 1 thread", m, k, n, off);
        }
        for (int mode = 0; mode < 3; mode++)
            for (int tid = 0; tid < 2; tid++) {
                hant__gemm_steal st;
                g.ctx = ctx2; g.c = y; g.split_m = mode;
                memset(y, 0xff, (size_t)m * n * 4);
                hant__gemm_steal_init(&g, 2, &st);
                hant__gemm_task(&g, tid, 2); /* alone: its part, then the other's */
                g.steal = NULL;
                HT_CHECK(memcmp(y, y0, (size_t)m * n * 4) == 0, "steal %dx%dx%d split %d thread %d alone: differs", m, k, n, mode, tid);
            }
        gemm_case_free(&gc);
    }
}

/* The 3x3 and 5x5 stride-1 and stride-2 depthwise runs (hant__dw3_tile: T
   pixels x NV vectors, inputs in registers, whole rows with the borders; the
   interior runs' kernel rows unrolled, the top and bottom rows skipping some;
   on AVX-512 the 3x3 stride-1 rows in pairs, hant__dw3_row2, on maps 14 wide
   or more: odd row counts, pairs that would cross an image or a thread's rows)
   against the pixel path and 4-pixel tiles they replace, which sum the taps
   in the same order (so bit for bit), and against the double reference: rows
   of several runs, run tails and maps narrower than a run, channels of one,
   two and partial vectors, residual and activations, a band of rows (x_row0)
   as the fused MBConv tiles call it, 1 and 2 threads (which split the
   channels where the rows are few). */
static void test_dw3_runs(void) {
    static const int dims[][6] = { /* n h w c k stride */
        { 1, 9, 30, 40, 3, 1 }, { 2, 7, 17, 32, 3, 1 }, { 1, 8, 20, 5, 3, 1 }, { 1, 6, 14, 96, 3, 1 }, { 1, 5, 9, 19, 3, 1 }, { 1, 4, 3, 24, 3, 1 },
        { 1, 12, 12, 144, 3, 1 }, { 1, 9, 23, 40, 5, 1 }, { 2, 7, 12, 19, 5, 1 }, { 1, 8, 17, 64, 5, 1 }, { 1, 7, 7, 48, 5, 1 }, { 1, 7, 7, 40, 3, 1 },
        { 1, 3, 2, 16, 5, 1 }, { 1, 1, 1, 17, 3, 1 }, { 1, 14, 14, 48, 3, 2 }, { 2, 9, 13, 40, 3, 2 }, { 1, 12, 30, 19, 3, 2 }, { 1, 8, 8, 5, 3, 2 },
        { 1, 14, 14, 64, 5, 2 }, { 1, 11, 21, 40, 5, 2 }, { 2, 7, 9, 24, 5, 2 }, { 1, 2, 3, 33, 5, 2 }, { 1, 1, 2, 16, 3, 2 },
        /* 3x3 stride 1, 14 wide or more (AVX-512: row pairs): tails of 1-5 pixels, partial vectors, 2 images of odd height */
        { 1, 5, 15, 40, 3, 1 }, { 2, 5, 16, 19, 3, 1 }, { 1, 2, 23, 33, 3, 1 }, { 1, 3, 29, 7, 3, 1 },
        /* 3x3 stride 2 to outputs 28 wide or more: runs (narrower: the 4-pixel tiles) */
        { 1, 11, 58, 40, 3, 2 }, { 2, 5, 57, 19, 3, 2 }, { 1, 6, 56, 24, 3, 2 }, { 1, 4, 61, 7, 3, 2 },
        /* few rows: 2 threads split the channels */
        { 1, 7, 7, 160, 3, 1 }, { 1, 5, 9, 136, 5, 1 }, { 1, 14, 14, 144, 5, 2 }, { 1, 13, 6, 200, 3, 2 }, { 1, 5, 60, 136, 3, 2 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (int variant = 0; variant < 3; variant++) {
            conv_case c;
            dw_case_init(&c, dims[d], variant, 700 + (int)d);
            hant_conv_shape s = c.s;
            float *x = c.x, *w = c.w, *y0 = c.y0, *r = c.r;
            const float *bias = c.bias, *rs = c.rs;
            hant_act act = c.act;
            ht_check_runs("dw3", &hant__dw_ref, &s, x, w, bias, act, rs, r, 1e-5 * s.kernel, y0);
            /* a band: output rows [2, 5) of image 0 from input rows [2S - 1, 4S + 2) (3x3) */
            if (s.h >= 4 * s.stride + 2 && s.kernel == 3) {
                hant__conv_args a;
                hant__conv_setup(&a, ctx1, &s);
                size_t row = (size_t)s.w * s.cin, orow = (size_t)a.ow * s.cin;
                int lo = 2 * s.stride - 1;
                float *band = malloc(3 * orow * 4);
                a.x = x + lo * row; a.x_row0 = lo; a.w = w; a.bias = bias; a.act = act; a.y = band; a.y_row0 = 2;
                a.residual = rs ? rs + 2 * orow : NULL;
                hant__dwconv_forward_rows(&a, 2, 5);
                HT_CHECK(memcmp(band, y0 + 2 * orow, 3 * orow * 4) == 0, "dw3 band n%d %dx%d c%d s%d act %s: differs", s.n, s.h, s.w, s.cin, s.stride,
                         hant_act_name(act));
                free(band);
            }
            conv_case_free(&c);
        }
}

/* The 3-channel 3x3 and 7x7 stride-2 stems' runs (HANT__DIRECT_PX1/PX2/PX4
   pixels, the taps as constants) against the 4-pixel tiles (hant__direct_ref),
   which sum in the same order (so bit for bit), and the double reference: rows
   of several runs and run tails, one to five vectors and tails of output
   channels, odd maps, residual and activations, 1 and 2 threads. */
static void test_direct_runs(void) {
    static const int dims[][5] = { /* n h w cout kernel */
        { 1, 30, 44, 16, 3 }, { 2, 17, 31, 32, 3 }, { 1, 9, 40, 8, 3 }, { 1, 12, 33, 24, 3 }, { 1, 11, 29, 45, 3 }, { 1, 6, 5, 16, 3 },
        { 1, 26, 54, 48, 3 }, { 1, 14, 36, 64, 3 }, { 1, 26, 50, 64, 7 }, { 2, 15, 37, 64, 7 }, { 1, 20, 45, 72, 7 }, { 1, 9, 31, 80, 7 }, { 1, 5, 6, 64, 7 },
        { 1, 17, 40, 24, 7 }, { 1, 21, 35, 136, 7 } };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (int variant = 0; variant < 3; variant++) {
            hant_conv_shape s = { dims[d][0], dims[d][1], dims[d][2], 3, dims[d][3], dims[d][4], 2, 1 };
            size_t nx = conv_in_size(&s), ny = conv_out_size(&s), nw = conv_w_size(&s);
            float *x = malloc(nx * 4), *w = malloc(nw * 4), *b = malloc((size_t)s.cout * 4), *res = malloc(ny * 4);
            float *y0 = malloc(ny * 4), *r = malloc(ny * 4);
            ht_seed(800 + (int)d);
            ht_fill(x, nx, -1, 1); ht_fill(w, nw, -0.5f, 0.5f); ht_fill(b, (size_t)s.cout, -1, 1); ht_fill(res, ny, -1, 1);
            hant_act act = variant == 0 ? HANT_ACT_NONE : variant == 1 ? HANT_ACT_HSWISH : HANT_ACT_RELU6;
            const float *bias = variant ? b : NULL, *rs = variant == 2 ? res : NULL;
            ht_ref_conv(&s, x, w, bias, act, rs, r);
            ht_check_runs("stem", &hant__direct_ref, &s, x, w, bias, act, rs, r, 1e-5 * 3 * s.kernel * s.kernel, y0);
            free(x); free(w); free(b); free(res); free(y0); free(r);
        }
}

/* Packed dense convs (implicit GEMM) split their output rows between the
   threads (small weights) or their channels (hant__dense_forward_task): either
   way each output sums its taps in the same order, so 2 threads give the
   1-thread bits; and both agree with the double reference. Shapes of both
   splits (resnet18's stride-2 convs), stride 1 and 2, M and N tails. */
static void test_conv_split(void) {
    static const hant_conv_shape shapes[] = { { 1, 28, 28, 128, 256, 3, 2, 1 }, { 1, 14, 14, 64, 128, 3, 2, 1 }, { 1, 13, 11, 72, 200, 3, 1, 1 },
                                              { 1, 14, 14, 256, 512, 3, 2, 1 }, { 1, 9, 9, 40, 96, 3, 1, 1 } };
    for (size_t d = 0; d < sizeof shapes / sizeof shapes[0]; d++) {
        const hant_conv_shape *s = &shapes[d];
        size_t nx = conv_in_size(s), ny = conv_out_size(s), nw = conv_w_size(s);
        int kt = s->kernel * s->kernel * s->cin;
        float *x = malloc(nx * 4), *w = malloc(nw * 4), *b = malloc((size_t)s->cout * 4), *r = malloc(ny * 4);
        float *y1 = malloc(ny * 4), *y2 = malloc(ny * 4), *pw = malloc(hant__gemm_packed_b_floats(s->cout, kt) * 4);
        ht_seed(950 + (int)d);
        ht_fill(x, nx, -1, 1); ht_fill(w, nw, -0.5f, 0.5f); ht_fill(b, (size_t)s->cout, -1, 1);
        ht_ref_conv(s, x, w, b, HANT_ACT_RELU, NULL, r);
        hant__gemm_pack_b_full(0, s->cout, kt, w, s->cout, pw);
        memset(y1, 0xff, ny * 4); memset(y2, 0xff, ny * 4);
        hant__conv_forward_packed(ctx1, s, x, w, pw, b, HANT_ACT_RELU, NULL, y1);
        hant__conv_forward_packed(ctx2, s, x, w, pw, b, HANT_ACT_RELU, NULL, y2);
        double e = ht_max_err_ratio(y2, r, ny, 1e-5 * sqrt(kt), 1e-5, NULL);
        HT_CHECK(e <= 1, "split %dx%d c%d->%d s%d: err ratio %g", s->h, s->w, s->cin, s->cout, s->stride, e);
        HT_CHECK(memcmp(y1, y2, ny * 4) == 0, "split %dx%d c%d->%d s%d: 2 threads differ from 1", s->h, s->w, s->cin, s->cout, s->stride);
        free(x); free(w); free(b); free(r); free(y1); free(y2); free(pw);
    }
}

/* The narrow projections' weight gradient through dW^T (hant__wg_transpose)
   against dW directly: the same bits, at 1 and 2 threads, with and without
   dx; cout 16-48, cin up to 256, rows past a 64-row block, channel tails. */
static void test_wg_transpose(void) {
    static const hant_conv_shape sh[] = {
        { 2, 14, 14, 96, 24, 1, 1, 1 }, { 1, 7, 7, 144, 40, 1, 1, 1 }, { 3, 5, 7, 33, 17, 1, 1, 1 },
        { 1, 9, 9, 256, 48, 1, 1, 1 },  { 2, 4, 4, 240, 40, 1, 1, 1 }, { 1, 3, 3, 20, 19, 1, 1, 1 },
    };
    for (int si = 0; si < (int)(sizeof sh / sizeof sh[0]); si++) {
        const hant_conv_shape *s = &sh[si];
        size_t nx = conv_in_size(s), ny = conv_out_size(s), nw = conv_w_size(s);
        float *x = malloc(nx * 4), *w = malloc(nw * 4), *dy = malloc(ny * 4), *dx = malloc(nx * 4), *dw[2] = { malloc(nw * 4), malloc(nw * 4) };
        ht_seed(950 + si);
        ht_fill(x, nx, -1, 1); ht_fill(w, nw, -0.5f, 0.5f); ht_fill(dy, ny, -1, 1);
        for (int t = 0; t < 2; t++)
            for (int wdx = 0; wdx < 2; wdx++) {
                for (int v = 0; v < 2; v++) {
                    hant__wg_transpose = v;
                    for (size_t i = 0; i < nw; i++) dw[v][i] = 0.25f + 0.001f * (float)(i % 13);
                    hant_conv_backward(t ? ctx2 : ctx1, s, x, w, dy, wdx ? dx : NULL, 0, dw[v]);
                }
                HT_CHECK(memcmp(dw[0], dw[1], nw * 4) == 0, "dW^T %dx%d %d->%d threads %d dx %d: dw differs from the direct one", s->h, s->w, s->cin,
                         s->cout, t + 1, wdx);
            }
        hant__wg_transpose = 1;
        free(x); free(w); free(dy); free(dx); free(dw[0]); free(dw[1]);
    }
}

static void test_conv_backward(void) {
    for (int si = 0; si < NSHAPES; si++) {
        const hant_conv_shape *s = &conv_shapes[si];
        size_t nx = conv_in_size(s), ny = conv_out_size(s), nw = conv_w_size(s);
        float *x = malloc(nx * 4), *w = malloc(nw * 4), *dy = malloc(ny * 4), *dx = malloc(nx * 4), *dw = malloc(nw * 4);
        double *rdx = calloc(nx, 8), *rdw = calloc(nw, 8);
        float *fx = malloc(nx * 4), *fw = malloc(nw * 4);
        ht_seed(200 + si);
        ht_fill(x, nx, -1, 1); ht_fill(w, nw, -0.5f, 0.5f); ht_fill(dy, ny, -1, 1);
        ref_conv_backward(s, x, w, dy, rdx, rdw);
        for (size_t i = 0; i < nx; i++) fx[i] = (float)rdx[i] + 0.5f; /* + the pre-existing dx when accumulating */
        for (size_t i = 0; i < nw; i++) fw[i] = (float)rdw[i] + 0.25f;
        for (int t = 0; t < 2; t++)
            for (int acc = 0; acc < 2; acc++) {
                for (size_t i = 0; i < nx; i++) dx[i] = acc ? 0.5f : NAN;
                for (size_t i = 0; i < nw; i++) dw[i] = 0.25f;
                hant_conv_backward(t ? ctx2 : ctx1, s, x, w, dy, dx, acc, dw);
                double K = (double)s->kernel * s->kernel * s->cout;
                double M = (double)ny / s->cout * s->kernel * s->kernel;
                double edx = ht_max_err_ratio(dx, fx, nx, 1e-5 * sqrt(K), 1e-5, NULL);
                double edw = ht_max_err_ratio(dw, fw, nw, 1e-5 * sqrt(M), 1e-5, NULL);
                if (!acc) for (size_t i = 0; i < nx; i++) dx[i] += 0.5f;
                if (!acc) edx = ht_max_err_ratio(dx, fx, nx, 1e-5 * sqrt(K), 1e-5, NULL);
                HT_CHECK(edx <= 1 && edw <= 1, "conv backward shape %d threads %d acc %d: dx err %g dw err %g", si, t + 1, acc, edx, edw);
            }
        /* finite differences on the kernel's own forward: L = sum(y * dy) */
        float *y = malloc(ny * 4);
        for (int probe = 0; probe < 6; probe++) {
            int on_w = probe & 1;
            size_t idx = (size_t)(ht_u64() % (on_w ? nw : nx));
            float *p = on_w ? &w[idx] : &x[idx], old = *p;
            double L[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                *p = old + (sgn ? -1e-2f : 1e-2f);
                hant_conv_forward(ctx1, s, x, w, NULL, HANT_ACT_NONE, NULL, y);
                double l = 0;
                for (size_t i = 0; i < ny; i++) l += (double)y[i] * dy[i];
                L[sgn] = l;
            }
            *p = old;
            double fd = (L[0] - L[1]) / 2e-2, an = on_w ? fw[idx] - 0.25 : fx[idx] - 0.5;
            HT_CHECK(HT_CLOSE(an, fd, 2e-3, 1e-2), "conv FD shape %d %s[%zu]: analytic %g fd %g", si, on_w ? "w" : "x", idx, an, fd);
        }
        free(y); free(x); free(w); free(dy); free(dx); free(dw); free(rdx); free(rdw); free(fx); free(fw);
    }
}

/* ---- whole blocks and networks ------------------------------------------ */

static void test_block_backward_fd(void) {
    const hant_block_spec specs[] = {
        { HANT_BLOCK_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_MBCONV, 8, 12, 6, 5, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_MBCONV, 8, 8, 3, 7, 1, 0.0f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_MBCONV, 8, 8, 2, 3, 1, 0.25f, HANT_ACT_SIGMOID, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_FUSED_MBCONV, 8, 8, 4, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_FUSED_MBCONV, 8, 16, 2, 5, 2, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_FUSED_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_FUSED_MBCONV, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_CONV, 8, 12, 1, 3, 2, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_CONV, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_HSWISH, 4, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_CONV, 8, 8, 1, 1, 1, 0.0f, HANT_ACT_NONE, 1, 0, 0, 0, 0, 0, 0 },
        { HANT_BLOCK_IDENTITY, 8, 8, 1, 1, 1, 0.0f, HANT_ACT_NONE, 1, 0, 0, 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        hant_arch a = ht_headless(6, 5, 8, &specs[i], 1);
        hant_net *net;
        hant_status st = hant_net_create(ctx2, &a, 7 + i, &net);
        HT_CHECK(st == HANT_OK, "block %zu: %s", i, hant_last_error());
        if (st) continue;
        char what[64];
        snprintf(what, sizeof what, "block %zu (%s e%d k%d s%d)", i, hant_block_kind_name(specs[i].kind), specs[i].expansion, specs[i].kernel, specs[i].stride);
        ht_seed(300 + i);
        ht_check_net_fd(net, 3, what, 24, 1e-2);
        hant_net_destroy(net);
    }
}

static void test_small_net_fd(void) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 9; a.in_w = 9; a.in_c = 1; a.num_classes = 4; a.bn_eps = 1e-3f;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 2; a.stem_act = HANT_ACT_SILU;
    a.head_cout = 16; a.head_act = HANT_ACT_SILU;
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 8, 12, 4, 5, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
    a.num_blocks = 2; a.blocks[0] = b[0]; a.blocks[1] = b[1];
    hant_net *net;
    HT_CHECK(hant_net_create(ctx1, &a, 5, &net) == HANT_OK, "%s", hant_last_error());
    ht_seed(77);
    ht_check_net_fd(net, 4, "small net (1 thread)", 30, 1e-2);
    hant_net_destroy(net);
    HT_CHECK(hant_net_create(ctx2, &a, 5, &net) == HANT_OK, "%s", hant_last_error());
    ht_check_net_fd(net, 5, "small net (2 threads)", 30, 1e-2);
    hant_net_destroy(net);
}


static void test_net_forward_vs_reference(void) {
    const char *names[] = { "b0-fm", "small" };
    for (int k = 0; k < 2; k++) {
        hant_arch a;
        if (k == 0) hant_arch_builtin("b0-fm", &a);
        else {
            hant_block_spec b[] = { { HANT_BLOCK_FUSED_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 },
                                    { HANT_BLOCK_FUSED_MBCONV, 8, 16, 4, 5, 2, 0.25f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
                                    { HANT_BLOCK_CONV, 16, 16, 1, 3, 1, 0.0f, HANT_ACT_RELU6, 2, 0, 0, 0, 0, 0, 0 },
                                    { HANT_BLOCK_IDENTITY, 16, 16, 1, 1, 1, 0.0f, HANT_ACT_NONE, 1, 0, 0, 0, 0, 0, 0 },
                                    { HANT_BLOCK_MBCONV, 16, 16, 3, 7, 1, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
            a = ht_headless(12, 10, 8, b, 5);
            a.num_classes = 7; a.head_cout = 24; a.head_act = HANT_ACT_SILU;
        }
        for (int t = 0; t < 2; t++) {
            hant_net *net;
            HT_CHECK(hant_net_create(t ? ctx2 : ctx1, &a, 11, &net) == HANT_OK, "%s", hant_last_error());
            ht_seed(500 + k);
            ht_randomise_bn(net);
            const int ns[] = { 1, 5 };
            for (int q = 0; q < 2; q++) {
                int n = ns[q];
                size_t nx = (size_t)n * a.in_h * a.in_w * a.in_c, no = (size_t)n * hant_net_output_size(net);
                float *x = malloc(nx * 4), *y = malloc(no * 4), *r = malloc(no * 4);
                ht_fill(x, nx, -1, 1);
                HT_CHECK(hant_net_forward(net, x, n, y) == HANT_OK, "forward");
                ht_ref_net_forward(net, x, n, r);
                size_t at;
                double e = ht_max_err_ratio(y, r, no, 1e-4, 1e-4, &at);
                HT_CHECK(e <= 1, "%s forward n=%d threads=%d vs reference: err ratio %g at %zu (%g vs %g)", names[k], n, t + 1, e, at, y[at], r[at]);
                free(x); free(y); free(r);
            }
            hant_net_destroy(net);
        }
    }
}

static void test_net_counts(void) {
    hant_arch a;
    hant_net *net;
    HT_CHECK(hant_arch_builtin("b0-fm", &a) == HANT_OK, "b0-fm");
    HT_CHECK(hant_net_create(ctx1, &a, 1, &net) == HANT_OK, "%s", hant_last_error());
    /* docs/networks.md */
    HT_CHECK(hant_net_params(net) == 4019782, "b0-fm params %lld", (long long)hant_net_params(net));
    HT_CHECK(hant_net_macs(net) == 29207488, "b0-fm MACs %lld", (long long)hant_net_macs(net));
    int64_t p = 0, m = 0, h = 28, w = 28;
    for (int i = 0; i < a.num_blocks; i++) {
        p += hant_block_params(&a.blocks[i]);
        m += hant_block_macs(&a.blocks[i], (int)h, (int)w);
        h = hant_conv_out((int)h, a.blocks[i].kernel, a.blocks[i].stride); w = hant_conv_out((int)w, a.blocks[i].kernel, a.blocks[i].stride);
    }
    /* blocks + stem (9*32 + 64) + head (320*1280 + 2560) + fc (12810) */
    HT_CHECK(p + 352 + 412160 + 12810 == 4019782, "block param sum %lld", (long long)p);
    HT_CHECK(m + 28 * 28 * 9 * 32 + 2 * 2 * 320 * 1280 + 12800 == 29207488, "block MAC sum %lld", (long long)m);
    hant_net_destroy(net);
    HT_CHECK(hant_arch_builtin("b0-224", &a) == HANT_OK, "b0-224");
    HT_CHECK(hant_net_create(ctx1, &a, 1, &net) == HANT_OK, "%s", hant_last_error());
    HT_CHECK(hant_net_macs(net) == 385814752, "b0-224 MACs %lld", (long long)hant_net_macs(net));
    hant_net_destroy(net);
    HT_CHECK(hant_arch_builtin("resnet", &a) == HANT_ERR_INVALID_ARG, "unknown arch accepted");
}

static void test_arch_validation(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    hant_arch bad = a;
    bad.blocks[3].cin = 17;
    HT_CHECK(hant_arch_validate(&bad) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "block 3"), "cin mismatch: %s", hant_last_error());
    bad = a; bad.blocks[0].kernel = 4;
    HT_CHECK(hant_arch_validate(&bad) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "kernel"), "even kernel: %s", hant_last_error());
    bad = a; bad.blocks[0].kind = HANT_BLOCK_IDENTITY; bad.blocks[0].cout = 16;
    HT_CHECK(hant_arch_validate(&bad) == HANT_ERR_INVALID_ARG, "identity with cin != cout accepted");
    bad = a; bad.num_blocks = 100000;
    HT_CHECK(hant_arch_validate(&bad) == HANT_ERR_INVALID_ARG, "huge num_blocks accepted");
    bad = a; bad.blocks[2].stride = 3;
    HT_CHECK(hant_arch_validate(&bad) == HANT_ERR_INVALID_ARG, "stride 3 accepted");
    bad = a; bad.blocks[2].se_ratio = NAN;
    HT_CHECK(hant_arch_validate(&bad) == HANT_ERR_INVALID_ARG, "NaN se_ratio accepted");
    HT_CHECK(hant_arch_validate(&a) == HANT_OK, "b0-fm rejected: %s", hant_last_error());
}

static void test_train_deterministic(void) {
    hant_arch a;
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
    a = ht_headless(8, 8, 8, b, 1);
    a.num_classes = 3; a.head_cout = 8; a.head_act = HANT_ACT_SILU;
    float x[6 * 64 * 3], r[6 * 3];
    ht_seed(9);
    ht_fill(x, sizeof x / 4, -1, 1); ht_fill(r, 18, -1, 1);
    float *g[2];
    size_t np = 0;
    for (int k = 0; k < 2; k++) {
        hant_net *net;
        hant_net_create(ctx2, &a, 3, &net);
        float y[18];
        hant_net_train_forward(net, x, 6, y);
        hant_net_train_backward(net, r);
        float *gd = hant_net_grad_data(net, &np);
        g[k] = malloc(np * 4);
        memcpy(g[k], gd, np * 4);
        hant_net_destroy(net);
    }
    HT_CHECK(memcmp(g[0], g[1], np * 4) == 0, "two identical runs gave different gradients");
    free(g[0]); free(g[1]);
}

static void test_context(void) {
    hant_context *c;
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = -1;
    HT_CHECK(hant_context_create(&cfg, &c) == HANT_ERR_INVALID_ARG, "negative threads accepted");
    cfg.threads = 3; cfg.pin_threads = 1;
    HT_CHECK(hant_context_create(&cfg, &c) == HANT_OK, "3 threads: %s", hant_last_error());
    HT_CHECK(hant_context_threads(c) == 3, "thread count");
    HT_CHECK(hant_context_pinned(c) == 0 || hant_context_pinned(c) == 1, "pinned state");
    /* a big GEMM through 3 threads */
    int m = 97, n = 203, k = 64;
    float *A = malloc((size_t)m * k * 4), *B = malloc((size_t)k * n * 4), *C = malloc((size_t)m * n * 4), *R = malloc((size_t)m * n * 4);
    ht_fill(A, (size_t)m * k, -1, 1); ht_fill(B, (size_t)k * n, -1, 1);
    hant_gemm(c, 0, 0, m, n, k, A, k, B, n, 0.0f, C, n);
    hant_gemm(ctx1, 0, 0, m, n, k, A, k, B, n, 0.0f, R, n);
    HT_CHECK(ht_max_err_ratio(C, R, (size_t)m * n, 1e-5, 1e-5, NULL) <= 1, "3-thread gemm differs");
    free(A); free(B); free(C); free(R);
    hant_context_destroy(c);
    HT_CHECK(strcmp(hant_status_string(HANT_ERR_CHECKSUM), "checksum mismatch") == 0, "status text");
}

/* The pool: every slot of every dispatch runs exactly once, with its own tid
   and scratch, whichever thread claims it. 4 threads on fewer cores leave
   workers off their cores, so the caller runs their slots; the pauses let
   the workers fall asleep, so dispatches also meet sleeping workers. */
typedef struct { hant_context *ctx; atomic_int runs[8]; atomic_int bad, nested; } pool_probe;
static void pool_inner(void *arg, int tid, int nt) {
    pool_probe *p = (pool_probe *)arg;
    if (tid != 0 || nt != 1) atomic_fetch_add(&p->bad, 1);
    atomic_fetch_add(&p->nested, 1);
}
static void pool_task(void *arg, int tid, int nt) {
    pool_probe *p = (pool_probe *)arg;
    if (nt != hant_context_threads(p->ctx) || tid < 0 || tid >= nt) { atomic_fetch_add(&p->bad, 1); return; }
    if (hant__scratch_get(p->ctx, HANT__SCR_MISC) != p->ctx->scratch[tid * HANT__SCRATCH_SLOTS + HANT__SCR_MISC].ptr ||
        hant__avail_threads(p->ctx) != 1)
        atomic_fetch_add(&p->bad, 1);
    if (tid == nt - 1) hant__run(p->ctx, pool_inner, p); /* nested: inline, one thread */
    atomic_fetch_add(&p->runs[tid], 1);
}
static void test_pool(void) {
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 4;
    hant_context *c;
    HT_CHECK(hant_context_create(&cfg, &c) == HANT_OK, "4 threads: %s", hant_last_error());
    if (!c) return;
    HT_CHECK(hant__scratch_reserve(c, HANT__SCR_MISC, 64) == HANT_OK, "scratch");
    static pool_probe p;
    memset(&p, 0, sizeof p);
    p.ctx = c;
    int n = 0;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 3000; i++, n++) {
            hant__run(c, pool_task, &p);
            /* the dispatch is over: nothing of it is still running */
            for (int t = 0; t < 4; t++)
                if (atomic_load(&p.runs[t]) != n + 1) { HT_CHECK(0, "dispatch %d: slot %d ran %d times", n, t, atomic_load(&p.runs[t]) - n); goto out; }
        }
        struct timespec ts = { 0, 20 * 1000 * 1000 }; /* longer than the workers spin */
        nanosleep(&ts, NULL);
    }
out:
    HT_CHECK(atomic_load(&p.bad) == 0, "%d slots saw a wrong tid, thread count or scratch", atomic_load(&p.bad));
    HT_CHECK(atomic_load(&p.nested) == n, "nested dispatches %d of %d", atomic_load(&p.nested), n);
    HT_CHECK(hant__avail_threads(c) == 4 && hant__scratch_get(c, HANT__SCR_MISC) == c->scratch[HANT__SCR_MISC].ptr, "caller's state restored");
    hant_context_destroy(c);
}

/* hant_isa() names the path this build compiled: the compiler's own
   predefined macros decide, and the vector width must agree with the name. */
static void test_isa(void) {
#if defined(HANT_NO_SIMD)
    const char *want = "scalar"; int lanes = 1;
#elif defined(__AVX512F__)
    const char *want = "avx512"; int lanes = 16;
#elif defined(__AVX2__) && defined(__FMA__)
    const char *want = "avx2"; int lanes = 8;
#elif defined(__ARM_NEON) && defined(__aarch64__)
    const char *want = "neon"; int lanes = 4;
#else
    const char *want = "scalar"; int lanes = 1;
#endif
    HT_CHECK(strcmp(hant_isa(), want) == 0, "hant_isa() %s, this build's macros say %s", hant_isa(), want);
    HT_CHECK(HANT__VL == lanes, "%d lanes on %s, want %d", (int)HANT__VL, hant_isa(), lanes);
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config c1 = { 1, 0, { 0 }, 0 }, c2 = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&c1, &ctx1) || hant_context_create(&c2, &ctx2)) { printf("context: %s\n0 passed, 1 failed\n", hant_last_error()); return 1; }
    fprintf(stderr, "isa %s\n", hant_isa());
    HT_RUN(test_isa);
    HT_RUN(test_context);
    HT_RUN(test_pool);
    HT_RUN(test_gemm);
    HT_RUN(test_gemm_gemv);
    HT_RUN(test_gemm_strip);
    HT_RUN(test_gemm_steal);
    HT_RUN(test_gemm_tall);
    HT_RUN(test_gemm_w3);
    HT_RUN(test_gemm_bal);
    HT_RUN(test_dw_s2_split);
    HT_RUN(test_gemm_pf);
    HT_RUN(test_gemm_n24);
    HT_RUN(test_gemm_kblock);
    HT_RUN(test_se_pool);
    HT_RUN(test_act_forward);
    HT_RUN(test_sigmoid);
    HT_RUN(test_act_backward);
    HT_RUN(test_conv_forward);
    HT_RUN(test_dw3_runs);
    HT_RUN(test_direct_runs);
    HT_RUN(test_conv_split);
    HT_RUN(test_conv_backward);
    HT_RUN(test_wg_transpose);
    HT_RUN(test_net_counts);
    HT_RUN(test_arch_validation);
    HT_RUN(test_net_forward_vs_reference);
    HT_RUN(test_block_backward_fd);
    HT_RUN(test_small_net_fd);
    HT_RUN(test_train_deterministic);
    hant_context_destroy(ctx1);
    hant_context_destroy(ctx2);
    return HT_SUMMARY();
}
