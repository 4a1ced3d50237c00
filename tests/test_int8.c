/* int8 kernels: the compiled SIMD path and its scalar twin against an
   independent integer reference (bit for bit), on 1 and 2 threads, over odd
   channel counts, tails, strides and the AVX2 saturation worst case; int8
   against the fp32 kernels within the quantisation error bound; calibration
   and the quantisation helpers. Runs on whatever path the build selected
   (hant_int8_isa()). */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"

static hant_context *ctx1, *ctx2;

/* ---- the reference: plain C, from the unpacked weights ------------------- */
typedef struct {
    int cin, cout, k, stride, dw;
    const int8_t *w; const float *ws, *bias;
    hant_act act; hant_qparams in, out;
} ref_layer;

static double ref_scale(const ref_layer *L, int co) { return (double)L->in.scale * L->ws[co]; }

/* int64 sums of (x - zp) * w over the taps inside the image, plus bias_q. */
static void ref_acc(const ref_layer *L, int n, int h, int w, const uint8_t *x, int64_t *acc) {
    int K = L->k, S = L->stride, P = K / 2, OH = hant_conv_out(h, K, S), OW = hant_conv_out(w, K, S);
    int cg = L->dw ? 1 : L->cin;
    for (int b = 0; b < n; b++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int co = 0; co < L->cout; co++) {
                    double bq = L->bias ? nearbyint(L->bias[co] / ref_scale(L, co)) : 0;
                    bq = bq > 536870912.0 ? 536870912.0 : bq < -536870912.0 ? -536870912.0 : bq;
                    int64_t s = (int64_t)bq;
                    for (int kh = 0; kh < K; kh++)
                        for (int kw = 0; kw < K; kw++) {
                            int ih = oh * S - P + kh, iw = ow * S - P + kw;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            for (int ci = 0; ci < cg; ci++) {
                                int c = L->dw ? co : ci;
                                int xv = x[(((size_t)b * h + ih) * w + iw) * L->cin + c];
                                s += (int64_t)(xv - L->in.zero_point) * L->w[((size_t)(kh * K + kw) * cg + ci) * L->cout + co];
                            }
                        }
                    acc[(((size_t)b * OH + oh) * OW + ow) * L->cout + co] = s;
                }
}

static int is_linear(hant_act a) { return a == HANT_ACT_NONE || a == HANT_ACT_RELU || a == HANT_ACT_RELU6; }

/* fp32 output: act((float)acc * (float)(in.scale * w_scale)); the nonlinear
   acts go through hant_act_forward, the vector code the epilogue uses. */
static void ref_out_f32(const ref_layer *L, const int64_t *acc, size_t count, float *y) {
    for (size_t i = 0; i < count; i++) y[i] = (float)(int32_t)acc[i] * (float)ref_scale(L, (int)(i % L->cout));
    if (L->act == HANT_ACT_RELU || L->act == HANT_ACT_RELU6)
        for (size_t i = 0; i < count; i++) {
            if (!(y[i] > 0)) y[i] = 0;
            if (L->act == HANT_ACT_RELU6 && !(y[i] < 6)) y[i] = 6;
        }
    else if (!is_linear(L->act)) hant_act_forward(L->act, y, y, count);
}

static void ref_out_u8(const ref_layer *L, const int64_t *acc, size_t count, uint8_t *y) {
    int zp = L->out.zero_point, lo = 0, hi = 255;
    if (L->act == HANT_ACT_RELU || L->act == HANT_ACT_RELU6) lo = zp;
    if (L->act == HANT_ACT_RELU6) { double t = zp + nearbyint(6.0 / L->out.scale); hi = t < 255 ? (int)t : 255; }
    float *f = malloc(sizeof(float) * (count ? count : 1));
    if (is_linear(L->act)) {
        for (size_t i = 0; i < count; i++) f[i] = (float)(int32_t)acc[i] * (float)(ref_scale(L, (int)(i % L->cout)) / L->out.scale);
    } else {
        ref_out_f32(L, acc, count, f);
        for (size_t i = 0; i < count; i++) f[i] *= 1.0f / L->out.scale;
        lo = 0; hi = 255;
    }
    for (size_t i = 0; i < count; i++) {
        float v = f[i], l = (float)(lo - zp), h = (float)(hi - zp);
        v = v > l ? v : l;
        v = v < h ? v : h;
        y[i] = (uint8_t)(lrintf(v) + zp);
    }
    free(f);
}

/* ---- one case: fast path on 1 and 2 threads, scalar twin, reference ------ */
static int ncases;

static void check_layer(const ref_layer *L, int n, int h, int w, const uint8_t *x, const char *what) {
    hant_qconv_desc d;
    memset(&d, 0, sizeof d);
    d.cin = L->cin; d.cout = L->cout; d.kernel = L->k; d.stride = L->stride; d.groups = L->dw ? L->cin : 1;
    d.weights = L->w; d.w_scale = L->ws; d.bias = L->bias; d.act = L->act; d.in = L->in; d.out = L->out;
    hant_qconv *q1 = NULL, *q2 = NULL;
    hant_status st = hant_qconv_create(ctx1, &d, &q1);
    HT_CHECK(st == HANT_OK, "%s: create: %s", what, hant_last_error());
    if (st) return;
    if (hant_qconv_create(ctx2, &d, &q2) != HANT_OK) { hant_qconv_destroy(q1); HT_CHECK(0, "%s: create 2", what); return; }
    int OH = hant_conv_out(h, L->k, L->stride), OW = hant_conv_out(w, L->k, L->stride);
    size_t count = (size_t)n * OH * OW * L->cout;
    int64_t *acc = malloc(sizeof(int64_t) * count);
    uint8_t *ru = malloc(count), *u[3];
    float *rf = malloc(sizeof(float) * count), *f[3];
    for (int i = 0; i < 3; i++) { u[i] = malloc(count); f[i] = malloc(sizeof(float) * count); memset(u[i], 0xAB, count); }
    ref_acc(L, n, h, w, x, acc);
    ref_out_u8(L, acc, count, ru);
    ref_out_f32(L, acc, count, rf);
    int ok = 1;
    ok &= hant_qconv_forward_u8(q1, n, h, w, x, u[0]) == HANT_OK;
    ok &= hant_qconv_forward_u8(q2, n, h, w, x, u[1]) == HANT_OK;
    ok &= hant__qconv_run(q1, n, h, w, x, u[2], NULL, 1) == HANT_OK;
    ok &= hant_qconv_forward_f32(q1, n, h, w, x, f[0]) == HANT_OK;
    ok &= hant_qconv_forward_f32(q2, n, h, w, x, f[1]) == HANT_OK;
    ok &= hant__qconv_run(q1, n, h, w, x, NULL, f[2], 1) == HANT_OK;
    HT_CHECK(ok, "%s: forward failed: %s", what, hant_last_error());
    static const char *names[3] = { "simd 1 thread", "simd 2 threads", "scalar twin" };
    for (int i = 0; i < 3; i++) {
        size_t bad = count;
        for (size_t j = 0; j < count && bad == count; j++) if (u[i][j] != ru[j]) bad = j;
        HT_CHECK(bad == count, "%s act %s: u8 %s differs at %zu: %d vs reference %d (acc %lld)", what, hant_act_name(L->act), names[i], bad,
                 bad < count ? u[i][bad] : 0, bad < count ? ru[bad] : 0, bad < count ? (long long)acc[bad] : 0);
        bad = count;
        for (size_t j = 0; j < count && bad == count; j++) if (memcmp(&f[i][j], &rf[j], sizeof(float))) bad = j;
        HT_CHECK(bad == count, "%s act %s: f32 %s differs at %zu: %.9g vs reference %.9g", what, hant_act_name(L->act), names[i], bad,
                 bad < count ? f[i][bad] : 0.0, bad < count ? rf[bad] : 0.0);
    }
    ncases++;
    for (int i = 0; i < 3; i++) { free(u[i]); free(f[i]); }
    free(acc); free(ru); free(rf);
    hant_qconv_destroy(q1);
    hant_qconv_destroy(q2);
}

/* Random layer; out qparams from the reference's real output range, so that
   the u8 outputs use the whole range rather than saturate. */
static int case_zp = -1; /* >= 0: the input zero point of the next cases, else random */
static int case_wmax = 127; /* weights of the next cases in [-case_wmax, case_wmax] (64: AVX2's fast GEMM) */
static void run_case(int dw, int cin, int cout, int k, int stride, int n, int h, int w, hant_act act, const char *tag) {
    int cg = dw ? 1 : cin;
    size_t wn = (size_t)k * k * cg * cout, xn = (size_t)n * h * w * cin;
    int8_t *wq = malloc(wn);
    float *ws = malloc(sizeof(float) * cout), *bias = malloc(sizeof(float) * cout);
    uint8_t *x = malloc(xn);
    for (size_t i = 0; i < wn; i++) wq[i] = (int8_t)((int)(ht_u64() % (uint64_t)(2 * case_wmax + 1)) - case_wmax);
    for (size_t i = 0; i < xn; i++) x[i] = (uint8_t)(ht_u64() % 256);
    for (int c = 0; c < cout; c++) { ws[c] = ht_uniform(0.5f, 2.0f) / ((float)case_wmax * sqrtf((float)(k * k * cg))); bias[c] = ht_uniform(-1, 1); }
    int32_t zp = (int32_t)(ht_u64() % 256);
    if (case_zp >= 0) zp = case_zp;
    ref_layer L = { cin, cout, k, stride, dw, wq, ws, bias, act, { 0.02f, zp }, { 1.0f, 0 } };
    /* real output range through the reference */
    int OH = hant_conv_out(h, k, stride), OW = hant_conv_out(w, k, stride);
    size_t count = (size_t)n * OH * OW * cout;
    int64_t *acc = malloc(sizeof(int64_t) * count);
    float *rf = malloc(sizeof(float) * count);
    ref_acc(&L, n, h, w, x, acc);
    ref_out_f32(&L, acc, count, rf);
    float lo = rf[0], hi = rf[0];
    for (size_t i = 0; i < count; i++) { lo = rf[i] < lo ? rf[i] : lo; hi = rf[i] > hi ? rf[i] : hi; }
    /* a few saturate on purpose; the room below lo puts the zero point of
       RELU outputs above 0, so that their lower clamp is exercised */
    hant_qparams_from_range(lo * 0.9f - 0.2f * (hi - lo), hi * 0.9f, &L.out);
    char what[160];
    snprintf(what, sizeof what, "%s %s cin %d cout %d k %d s %d n %d %dx%d w +-%d", tag, dw ? "dw" : k == 1 && stride == 1 ? "pw" : "dense",
             cin, cout, k, stride, n, h, w, case_wmax);
    check_layer(&L, n, h, w, x, what);
    free(acc); free(rf); free(wq); free(ws); free(bias); free(x);
}

static const hant_act acts[5] = { HANT_ACT_NONE, HANT_ACT_RELU, HANT_ACT_RELU6, HANT_ACT_SILU, HANT_ACT_HSWISH };

static void test_pointwise_cases(void) {
    static const int cins[] = { 1, 3, 4, 5, 16, 17, 33, 64, 100 }, couts[] = { 1, 3, 16, 17, 33, 40, 96 };
    static const int hw[][3] = { { 1, 1, 1 }, { 1, 3, 5 }, { 2, 7, 7 }, { 1, 13, 11 } };
    int i = 0;
    for (size_t a = 0; a < sizeof cins / sizeof *cins; a++)
        for (size_t b = 0; b < sizeof couts / sizeof *couts; b++, i++) {
            const int *s = hw[i % 4];
            run_case(0, cins[a], couts[b], 1, 1, s[0], s[1], s[2], acts[i % 5], "pointwise");
        }
    /* every activation on one shape with row and column tails, and an FC */
    for (int a = 0; a < 5; a++) run_case(0, 37, 45, 1, 1, 1, 9, 7, acts[a], "pointwise act");
    for (int a = 0; a < 5; a++) run_case(0, 1280, 10, 1, 1, 3, 1, 1, acts[a], "fc");
    run_case(0, 130, 1000, 1, 1, 1, 1, 1, HANT_ACT_NONE, "fc batch 1");
    run_case(0, 96, 24, 1, 1, 1, 56, 56, HANT_ACT_NONE, "pointwise big"); /* threads split M */
    run_case(0, 40, 240, 1, 1, 1, 14, 14, HANT_ACT_SILU, "pointwise big");
}

/* Weights in [-127, 127] and in [-64, 64]: on AVX2 the second set takes the
   fast vpmaddubsw kernel, the first the exact split one. */
static void test_pointwise(void) {
    ht_seed(11);
    test_pointwise_cases();
    case_wmax = 64;
    test_pointwise_cases();
    case_wmax = 127;
}

static void test_dense(void) {
    ht_seed(12);
    static const int cfg[][6] = { /* cin cout k stride h w */
        { 1, 5, 3, 1, 7, 6 }, { 3, 16, 3, 2, 11, 9 }, { 3, 32, 3, 2, 28, 28 }, { 8, 33, 5, 1, 6, 8 }, { 17, 7, 3, 1, 5, 5 },
        { 4, 17, 1, 2, 9, 7 }, { 5, 3, 7, 2, 9, 12 }, { 2, 40, 5, 3, 10, 10 }, { 33, 16, 3, 1, 2, 2 }, { 1, 1, 3, 1, 1, 1 },
    };
    for (int wm = 0; wm < 2; wm++)
        for (size_t i = 0; i < sizeof cfg / sizeof *cfg; i++) {
            const int *c = cfg[i];
            case_wmax = wm ? 64 : 127;
            run_case(0, c[0], c[1], c[2], c[3], 1 + (int)(i % 2), c[4], c[5], acts[i % 5], "dense");
        }
    case_wmax = 127;
}

static void test_depthwise_cases(void) {
    static const int chans[] = { 3, 17, 33, 64, 300 };
    int i = 0;
    for (int k = 3; k <= 7; k += 2)
        for (int s = 1; s <= 2; s++)
            for (size_t c = 0; c < sizeof chans / sizeof *chans; c++, i++) {
                int h = 3 + (i * 5) % 11, w = 2 + (i * 3) % 13;
                run_case(1, chans[c], chans[c], k, s, 1 + i % 2, h, w, acts[i % 5], "depthwise");
            }
    run_case(1, 16, 16, 3, 1, 1, 1, 1, HANT_ACT_RELU6, "depthwise 1x1 image");
    run_case(1, 24, 24, 7, 2, 1, 3, 2, HANT_ACT_NONE, "depthwise image < kernel");
    run_case(1, 96, 96, 3, 2, 1, 56, 56, HANT_ACT_SILU, "depthwise big"); /* threads */
    /* zero point 0 (ReLU inputs): taps off a small map are skipped, narrow and wide channel blocks */
    case_zp = 0;
    static const int small[][4] = { { 5, 2, 2, 576 }, { 3, 2, 2, 64 }, { 5, 4, 4, 96 }, { 7, 3, 2, 17 }, { 5, 4, 4, 300 }, { 3, 14, 14, 33 } };
    for (size_t j = 0; j < sizeof small / sizeof *small; j++)
        for (int s = 1; s <= 2; s++)
            run_case(1, small[j][3], small[j][3], small[j][0], s, 2, small[j][1], small[j][2], acts[j % 5], "depthwise zp 0");
    case_zp = -1;
}

/* The row-run kernel (hant__q8_dw_row): rows wider than a chunk of 72 input
   columns, odd widths, runs of pixels with a remainder, channel blocks with
   tails, strides 1-3, kernels 1-7, 1-4 output rows per interleave ending at
   the image's and a thread's last row, zero point 0 and not. Maps under 4
   output columns take the tap-pointer kernels (test_depthwise_cases). */
static void test_depthwise_runs_cases(void) {
    static const int cfg[][6] = { /* k s n h w c */
        { 3, 1, 1, 5, 150, 40 }, { 3, 2, 2, 4, 151, 64 }, { 5, 1, 1, 6, 77, 144 }, { 5, 2, 1, 7, 75, 100 }, { 7, 1, 2, 9, 73, 17 },
        { 7, 2, 1, 8, 150, 33 }, { 3, 1, 1, 3, 71, 32 }, { 5, 1, 2, 2, 70, 65 }, { 3, 3, 1, 7, 40, 24 }, { 3, 1, 1, 1, 143, 8 },
        { 1, 1, 1, 6, 9, 48 }, { 2, 1, 1, 5, 7, 40 }, { 4, 2, 1, 9, 11, 72 }, { 5, 1, 3, 11, 5, 16 }, { 5, 2, 2, 9, 13, 48 },
        { 1, 2, 1, 9, 9, 40 }, { 2, 2, 2, 7, 12, 24 }, { 1, 3, 1, 8, 14, 8 },
    };
    for (int z = 0; z < 2; z++) {
        case_zp = z ? 0 : -1;
        for (size_t i = 0; i < sizeof cfg / sizeof *cfg; i++) {
            const int *c = cfg[i];
            run_case(1, c[5], c[5], c[0], c[1], c[2], c[3], c[4], acts[(i + z) % 5], "depthwise runs");
        }
    }
    case_zp = -1;
}

/* Weights in [-127, 127] and in [-64, 64]: on AVX2 the second set takes the
   vpmaddubsw depthwise kernels, the first the widening one. Each set runs
   through the row-run kernel and the tap-pointer kernels. */
static void test_depthwise(void) {
#if defined(HANT__Q8_DW_RUNK)
    for (hant__q8_dw_runs = 1; hant__q8_dw_runs >= 0; hant__q8_dw_runs--) {
#endif
        ht_seed(13);
        case_wmax = 127;
        test_depthwise_cases();
        test_depthwise_runs_cases();
        case_wmax = 64;
        test_depthwise_cases();
        test_depthwise_runs_cases();
        run_case(1, 144, 144, 3, 1, 1, 9, 9, HANT_ACT_SILU, "depthwise 16-channel tail");
        run_case(1, 240, 240, 5, 2, 1, 8, 8, HANT_ACT_NONE, "depthwise 16-channel tail");
        case_wmax = 127;
#if defined(HANT__Q8_DW_RUNK)
    }
    hant__q8_dw_runs = 1;
#endif
}

/* AVX2's vpmaddubsw saturates at 255 * 127 * 2: every weight +-127 and every
   activation 255, with depths past the 128-group s16 flush and with tails.
   Patterns 4-7: weights +-64, the largest that AVX2's fast kernel takes (a
   pair is 32640); 8-9: +-65, one past it, which takes the split kernel. */
static void test_saturation_worst_case(void) {
    static const int depths[] = { 4, 8, 64, 511, 512, 513, 517, 1030 };
    for (size_t di = 0; di < sizeof depths / sizeof *depths; di++)
        for (int pattern = 0; pattern < 10; pattern++) {
            int cin = depths[di], cout = 35;
            int8_t *w = malloc((size_t)cin * cout);
            float *ws = malloc(sizeof(float) * cout);
            uint8_t *x = malloc((size_t)3 * cin);
            for (int kk = 0; kk < cin; kk++)
                for (int c = 0; c < cout; c++) {
                    int m = pattern < 4 ? 127 : pattern < 8 ? 64 : 65, p = pattern % 4;
                    int v = p == 0 ? m : p == 1 ? -m : p == 2 ? ((kk + c) % 2 ? m : -m) : (c % 2 ? m : -m);
                    if (pattern >= 8 && kk > 0) v = v > 0 ? 64 : -64; /* one weight of 65 per column makes the layer wide */
                    w[(size_t)kk * cout + c] = (int8_t)v;
                }
            memset(x, 255, (size_t)3 * cin);
            for (int c = 0; c < cout; c++) ws[c] = 1.0f;
            /* scale 1 everywhere: the f32 output is the int32 sum, exact below 2^24 */
            ref_layer L = { cin, cout, 1, 1, 0, w, ws, NULL, HANT_ACT_NONE, { 1.0f, 0 }, { 4096.0f, 128 } };
            char what[96];
            snprintf(what, sizeof what, "saturation depth %d pattern %d", cin, pattern);
            check_layer(&L, 1, 3, 1, x, what);
            /* the same through dense 3x3 (im2col) and with zero point 255 */
            L.in.zero_point = 255;
            if (cin <= 64) {
                int8_t *w3 = malloc((size_t)9 * cin * cout);
                for (int t = 0; t < 9; t++) memcpy(w3 + (size_t)t * cin * cout, w, (size_t)cin * cout);
                L.w = w3; L.k = 3;
                uint8_t *x3 = malloc((size_t)9 * cin);
                memset(x3, 255, (size_t)9 * cin);
                check_layer(&L, 1, 3, 3, x3, what);
                free(w3); free(x3);
            }
            free(w); free(ws); free(x);
        }
    /* depthwise: every tap at 255 times +-64 (two taps per s16 on AVX2: 32640) or +-127, zero point 0 and 255 */
    static const int dwc[][3] = { { 3, 1, 32 }, { 5, 2, 48 }, { 7, 1, 17 }, { 3, 2, 64 } };
    for (size_t i = 0; i < sizeof dwc / sizeof *dwc; i++)
        for (int pattern = 0; pattern < 6; pattern++) {
            int K = dwc[i][0], C = dwc[i][2], T = K * K, m = pattern < 4 ? 64 : 127;
            int8_t *w = malloc((size_t)T * C);
            float *ws = malloc(sizeof(float) * C);
            uint8_t *x = malloc((size_t)2 * 6 * 5 * C);
            for (int t = 0; t < T; t++)
                for (int c = 0; c < C; c++) w[(size_t)t * C + c] = (int8_t)(pattern % 2 ? -m : (c + t) % 3 ? m : -m);
            memset(x, 255, (size_t)2 * 6 * 5 * C);
            for (int c = 0; c < C; c++) ws[c] = 1.0f;
            ref_layer L = { C, C, K, dwc[i][1], 1, w, ws, NULL, HANT_ACT_NONE, { 1.0f, pattern / 2 % 2 ? 255 : 0 }, { 4096.0f, 128 } };
            char what[96];
            snprintf(what, sizeof what, "saturation depthwise k %d c %d pattern %d", K, C, pattern);
            check_layer(&L, 2, 6, 5, x, what);
            free(w); free(ws); free(x);
        }
    /* and the exact int32 value, where float is exact */
    int cin = 517, cout = 16;
    int8_t *w = malloc((size_t)cin * cout);
    float ws[16], y[16];
    uint8_t x[517];
    memset(x, 255, sizeof x);
    for (int c = 0; c < cout; c++) ws[c] = 1.0f;
    static const int wv[3] = { 127, 64, 65 };
    for (int i = 0; i < 3; i++) {
        memset(w, wv[i], (size_t)cin * cout);
        hant_qconv_desc d = { cin, cout, 1, 1, 1, w, ws, NULL, HANT_ACT_NONE, { 1.0f, 0 }, { 1.0f, 0 } };
        hant_qconv *q;
        HT_CHECK(hant_qconv_create(ctx2, &d, &q) == HANT_OK, "create");
        HT_CHECK(q->wide == (wv[i] > 64), "weights %d: wide %d", wv[i], q->wide); /* which AVX2 kernel runs */
        HT_CHECK(hant_qconv_forward_f32(q, 1, 1, 1, x, y) == HANT_OK, "forward");
        for (int c = 0; c < cout; c++) HT_CHECK(y[c] == 517.0f * 255 * wv[i], "channel %d: %.1f, want %d", c, y[c], 517 * 255 * wv[i]);
        hant_qconv_destroy(q);
    }
    free(w);
}

/* int8 pointwise against the fp32 kernel: |y8 - y32| within the bound that
   rounding x, w and the bias to their grids allows (plus float slack). */
static void test_float_accuracy(void) {
    ht_seed(14);
    static const int shapes[][3] = { { 16, 96, 28 }, { 144, 40, 14 }, { 480, 112, 7 }, { 17, 33, 5 } };
    for (int si = 0; si < 4; si++) {
        int cin = shapes[si][0], cout = shapes[si][1], hw = shapes[si][2], M = hw * hw;
        float *x = malloc(sizeof(float) * M * cin), *w = malloc(sizeof(float) * cin * cout), *b = malloc(sizeof(float) * cout);
        float *y32 = malloc(sizeof(float) * M * cout), *y8 = malloc(sizeof(float) * M * cout), *ws = malloc(sizeof(float) * cout);
        float *xd = malloc(sizeof(float) * M * cin);
        int8_t *wq = malloc((size_t)cin * cout);
        uint8_t *xq = malloc((size_t)M * cin), *yq = malloc((size_t)M * cout);
        for (int i = 0; i < M * cin; i++) { float u = ht_uniform(-1, 1); x[i] = u * u * u * 3 + 0.5f; } /* skewed, negative tail */
        ht_fill(w, (size_t)cin * cout, -0.3f, 0.3f);
        ht_fill(b, (size_t)cout, -0.5f, 0.5f);
        hant_calib cal;
        hant_calib_init(&cal);
        HT_CHECK(hant_calib_update(&cal, x, (size_t)M * cin / 2) == HANT_OK, "calib");
        HT_CHECK(hant_calib_update(&cal, x + (size_t)M * cin / 2, (size_t)M * cin - (size_t)M * cin / 2) == HANT_OK, "calib");
        hant_qparams qin, qout = { 1, 0 };
        HT_CHECK(hant_calib_qparams(&cal, 100, &qin) == HANT_OK, "qparams");
        HT_CHECK(hant_quantize_weights(w, (size_t)cin, cout, wq, ws) == HANT_OK, "quantize weights");
        hant_quantize_u8(x, (size_t)M * cin, qin, xq);
        hant_dequantize_u8(xq, (size_t)M * cin, qin, xd);
        hant_conv_shape s = { 1, hw, hw, cin, cout, 1, 1, 1 };
        hant_conv_forward(ctx2, &s, x, w, b, HANT_ACT_NONE, NULL, y32);
        hant_qconv_desc d = { cin, cout, 1, 1, 1, wq, ws, b, HANT_ACT_NONE, qin, qout };
        hant_qconv *q;
        HT_CHECK(hant_qconv_create(ctx2, &d, &q) == HANT_OK, "create: %s", hant_last_error());
        HT_CHECK(hant_qconv_forward_f32(q, 1, hw, hw, xq, y8) == HANT_OK, "forward");
        double worst = 0, se = 0, sy = 0;
        for (int m = 0; m < M; m++)
            for (int c = 0; c < cout; c++) {
                double bound = 0.5 * qin.scale * ws[c], mag = fabs(b[c]);
                for (int kk = 0; kk < cin; kk++) {
                    double xv = x[(size_t)m * cin + kk], wv = w[(size_t)kk * cout + c];
                    bound += fabs(xv - xd[(size_t)m * cin + kk]) * fabs(wv) + fabs(xd[(size_t)m * cin + kk]) * 0.5 * ws[c];
                    mag += fabs(xv * wv);
                }
                double e = fabs((double)y8[(size_t)m * cout + c] - y32[(size_t)m * cout + c]);
                double r = e / (bound + 1e-5 * mag + 1e-6);
                worst = r > worst ? r : worst;
                se += e * e; sy += (double)y32[(size_t)m * cout + c] * y32[(size_t)m * cout + c];
            }
        HT_CHECK(worst <= 1.0, "cin %d cout %d: error %.3f x the quantisation bound", cin, cout, worst);
        double rel = sqrt(se / (sy + 1e-30));
        HT_CHECK(rel < 0.02, "cin %d cout %d: relative RMS error %.4f", cin, cout, rel);
        if (getenv("HT_VERBOSE")) fprintf(stderr, "  accuracy cin %d cout %d: worst %.3f of bound, rel rms %.5f\n", cin, cout, worst, rel);
        /* u8 output: adds at most half an output step */
        float lo = y32[0], hi = y32[0];
        for (int i = 0; i < M * cout; i++) { lo = y32[i] < lo ? y32[i] : lo; hi = y32[i] > hi ? y32[i] : hi; }
        hant_qparams_from_range(lo, hi, &d.out);
        hant_qconv *qu;
        HT_CHECK(hant_qconv_create(ctx2, &d, &qu) == HANT_OK, "create u8");
        HT_CHECK(hant_qconv_forward_u8(qu, 1, hw, hw, xq, yq) == HANT_OK, "forward u8");
        float *yd = malloc(sizeof(float) * M * cout);
        hant_dequantize_u8(yq, (size_t)M * cout, d.out, yd);
        double wu = 0;
        for (int i = 0; i < M * cout; i++) {
            double e = fabs((double)yd[i] - y8[i]);
            if (y8[i] >= lo && y8[i] <= hi) wu = e > wu ? e : wu;
        }
        HT_CHECK(wu <= 0.5 * d.out.scale * 1.001 + 1e-6, "u8 requantisation error %.6f > half a step %.6f", wu, 0.5 * d.out.scale);
        free(yd);
        hant_qconv_destroy(qu);
        hant_qconv_destroy(q);
        free(x); free(w); free(b); free(y32); free(y8); free(ws); free(xd); free(wq); free(xq); free(yq);
    }
}

static void test_calibration(void) {
    /* min/max, percentiles on a known distribution, across batches whose range grows */
    hant_calib c;
    hant_calib_init(&c);
    float *v = malloc(sizeof(float) * 20001);
    for (int i = 0; i <= 20000; i++) v[i] = (float)(i - 10000) * 0.001f; /* -10 .. 10 */
    HT_CHECK(hant_calib_update(&c, v + 9000, 2001) == HANT_OK, "small batch"); /* -1 .. 1 first */
    HT_CHECK(hant_calib_update(&c, v, 9000) == HANT_OK, "rest");
    HT_CHECK(hant_calib_update(&c, v + 11001, 9000) == HANT_OK, "rest");
    HT_CHECK(c.count == 20001, "count %llu", (unsigned long long)c.count);
    float lo = 0, hi = 0; /* set by the call; initialised for -Wmaybe-uninitialized when inlined (tests/test_all.c) */
    HT_CHECK(hant_calib_range(&c, 100, &lo, &hi) == HANT_OK && lo == -10.0f && hi == 10.0f, "min/max %g %g", lo, hi);
    HT_CHECK(hant_calib_range(&c, 99, &lo, &hi) == HANT_OK, "p99");
    HT_CHECK(fabsf(lo + 9.8f) < 0.02f && fabsf(hi - 9.8f) < 0.02f, "p99 range %g %g, want -9.8 9.8", lo, hi);
    HT_CHECK(hant_calib_range(&c, 90, &lo, &hi) == HANT_OK && fabsf(lo + 8) < 0.02f && fabsf(hi - 8) < 0.02f, "p90 %g %g", lo, hi);
    /* an outlier: min/max follows it, the percentile does not */
    float out = 1000.0f;
    HT_CHECK(hant_calib_update(&c, &out, 1) == HANT_OK, "outlier");
    HT_CHECK(hant_calib_range(&c, 100, &lo, &hi) == HANT_OK && hi == 1000.0f, "max %g", hi);
    HT_CHECK(hant_calib_range(&c, 99.9, &lo, &hi) == HANT_OK && hi < 10.5f && hi > 9.5f, "p99.9 hi %g", hi);
    /* non-negative data (after ReLU): zero point 0 */
    hant_calib r;
    hant_calib_init(&r);
    for (int i = 0; i < 1000; i++) v[i] = (float)i * 0.006f;
    HT_CHECK(hant_calib_update(&r, v, 1000) == HANT_OK, "relu data");
    hant_qparams q;
    HT_CHECK(hant_calib_qparams(&r, 99.99, &q) == HANT_OK && q.zero_point == 0 && q.scale > 0, "relu qparams zp %d", (int)q.zero_point);
    /* bad input */
    float nan = NAN;
    HT_CHECK(hant_calib_update(&r, &nan, 1) == HANT_ERR_NONFINITE && r.count == 1000, "NaN must be refused without an update");
    HT_CHECK(hant_calib_range(&r, 40, &lo, &hi) == HANT_ERR_INVALID_ARG, "percentile 40");
    hant_calib e;
    hant_calib_init(&e);
    HT_CHECK(hant_calib_range(&e, 100, &lo, &hi) == HANT_ERR_INVALID_ARG, "empty calibrator");
    HT_CHECK(hant_calib_update(NULL, v, 1) == HANT_ERR_INVALID_ARG, "NULL calibrator");
    free(v);
}

static void test_quantize_helpers(void) {
    hant_qparams q;
    HT_CHECK(hant_qparams_from_range(-1.3f, 2.9f, &q) == HANT_OK, "from range");
    uint8_t z;
    float zero = 0, back;
    hant_quantize_u8(&zero, 1, q, &z);
    hant_dequantize_u8(&z, 1, q, &back);
    HT_CHECK(back == 0.0f, "real 0 must be exact: %g", back);
    for (int i = 0; i <= 1000; i++) {
        float x = -1.3f + 4.2f * i / 1000, y;
        uint8_t u;
        hant_quantize_u8(&x, 1, q, &u);
        hant_dequantize_u8(&u, 1, q, &y);
        HT_CHECK(fabsf(x - y) <= 0.5f * q.scale * 1.0001f + 1e-6f, "roundtrip %g -> %g", x, y);
    }
    /* the vector conversions against their scalar twins, NaN and Inf included */
    {
        size_t n = 1003;
        float *x = malloc(sizeof(float) * n), *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
        uint8_t *u = malloc(n), *v = malloc(n);
        ht_seed(15);
        for (size_t i = 0; i < n; i++) x[i] = ht_uniform(-3, 5);
        x[5] = NAN; x[17] = INFINITY; x[18] = -INFINITY; x[40] = -1.3f; x[41] = 2.9f;
        for (size_t i = 100; i < 200; i++) x[i] = (float)((int)i - 150) * q.scale * 0.5f; /* ties */
        hant_quantize_u8(x, n, q, u);
        hant__quantize_u8_scalar(x, n, q, v);
        HT_CHECK(memcmp(u, v, n) == 0, "quantize: vector and scalar differ");
        hant_dequantize_u8(u, n, q, a);
        hant__dequantize_u8_scalar(u, n, q, b);
        HT_CHECK(memcmp(a, b, sizeof(float) * n) == 0, "dequantize: vector and scalar differ");
        free(x); free(a); free(b); free(u); free(v);
    }
    /* the vector path divides without a division (a corrected reciprocal product): bit for bit the
       division's codes, on values a few ulps from every tie, for scales across and beyond its range */
    {
        enum { N = 4096 };
        float *x = malloc(sizeof(float) * N);
        uint8_t *u = malloc(N), *v = malloc(N);
        const float scales[] = { 0.0173f, 0.02f, 1.0f / 3.0f, 0.1f, 7.77e-5f, 3.1e-7f, 0x1p-60f, 0x1.fffffep-61f, 0x1p60f, 0x1.000002p60f, 1e-30f, 1e25f, 3.3e37f };
        ht_seed(16);
        for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
            hant_qparams qs = { scales[k], (int32_t)(k * 37 % 256) };
            for (int i = 0; i < N; i++) {
                float t = ((float)(i / 8) - 255.0f + 0.5f + (i % 3 == 2 ? (float)ht_uniform(-1, 1) : 0.0f)) * qs.scale;
                for (int d = (i % 8) - 3; d > 0; d--) t = nextafterf(t, INFINITY);
                for (int d = (i % 8) - 3; d < 0; d++) t = nextafterf(t, -INFINITY);
                x[i] = t;
            }
            x[7] = NAN; x[8] = INFINITY; x[9] = -INFINITY; x[10] = 3e38f; x[11] = -3e38f; x[12] = 1e-40f; x[13] = -0.0f;
            hant_quantize_u8(x, N, qs, u);
            hant__quantize_u8_scalar(x, N, qs, v);
            int bad = -1;
            for (int i = 0; i < N && bad < 0; i++) if (u[i] != v[i]) bad = i;
            HT_CHECK(bad < 0, "quantize, scale %g: vector %d, scalar %d at x = %a", (double)qs.scale, bad < 0 ? 0 : u[bad], bad < 0 ? 0 : v[bad], bad < 0 ? 0.0 : (double)x[bad]);
        }
        free(x); free(u); free(v);
    }
    float big[3] = { -100, 100, NAN };
    uint8_t ub[3];
    hant_quantize_u8(big, 3, q, ub);
    HT_CHECK(ub[0] == 0 && ub[1] == 255 && ub[2] == 0, "saturation %d %d %d", ub[0], ub[1], ub[2]);
    HT_CHECK(hant_qparams_from_range(0.5f, 3, &q) == HANT_OK && q.zero_point == 0, "range widened to 0");
    HT_CHECK(hant_qparams_from_range(-4, -1, &q) == HANT_OK && q.zero_point == 255, "negative range");
    HT_CHECK(hant_qparams_from_range(0, 0, &q) == HANT_OK && q.scale > 0, "empty range");
    HT_CHECK(hant_qparams_from_range(2, 1, &q) == HANT_ERR_INVALID_ARG, "lo > hi");
    HT_CHECK(hant_qparams_from_range(0, INFINITY, &q) == HANT_ERR_NONFINITE, "inf");
    int8_t s[4] = { -128, -1, 0, 127 };
    uint8_t us[4];
    hant_s8_to_u8(s, 4, us);
    HT_CHECK(us[0] == 0 && us[1] == 127 && us[2] == 128 && us[3] == 255, "s8 -> u8");
    float w[6] = { 0.5f, 0, -2, 0, 0.25f, 0 }, ws[2];
    int8_t wq[6];
    HT_CHECK(hant_quantize_weights(w, 3, 2, wq, ws) == HANT_OK, "weights");
    const int wm = hant_int8_weight_max();
    HT_CHECK(wm == 127 || (wm == 64 && strcmp(hant_int8_isa(), "avx2") == 0), "weight max %d on int8 path %s", wm, hant_int8_isa());
    HT_CHECK(ws[0] == 2.0f / (float)wm && ws[1] == 1.0f && wq[2] == -wm && wq[0] == (int8_t)lrintf(0.5f / (2.0f / (float)wm)) && wq[1] == 0,
             "weights %g %g %d %d", ws[0], ws[1], wq[2], wq[0]);
}

static void test_bad_input(void) {
    int8_t w[64] = { 0 };
    float ws[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
    hant_qconv_desc d = { 4, 4, 1, 1, 1, w, ws, NULL, HANT_ACT_NONE, { 0.1f, 3 }, { 0.1f, 3 } };
    hant_qconv *q = (hant_qconv *)1;
    HT_CHECK(hant_qconv_create(ctx1, NULL, &q) == HANT_ERR_INVALID_ARG && q == NULL, "NULL desc");
    HT_CHECK(hant_qconv_create(ctx1, &d, NULL) == HANT_ERR_INVALID_ARG, "NULL out");
    d.groups = 2;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_UNSUPPORTED, "grouped conv");
    d.groups = 4; d.kernel = 9;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_UNSUPPORTED, "depthwise 9x9");
    d.groups = 1; d.kernel = 1;
    d.in.zero_point = 256;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_INVALID_ARG, "zero point 256");
    d.in.zero_point = 3; d.out.scale = 0;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_INVALID_ARG, "out scale 0");
    d.out.scale = 1e-38f; ws[0] = 1e30f;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_INVALID_ARG, "requantisation multiplier overflows");
    ws[0] = 1;
    d.out.scale = 0.1f; ws[2] = NAN;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_INVALID_ARG, "w_scale NaN");
    ws[2] = 1; w[5] = -128;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_INVALID_ARG, "weight -128");
    w[5] = 0; d.cin = 20000;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_UNSUPPORTED, "depth beyond the int32 bound");
    d.cin = 4; d.stride = 0;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_ERR_INVALID_ARG, "stride 0");
    d.stride = 1;
    HT_CHECK(hant_qconv_create(ctx1, &d, &q) == HANT_OK, "valid: %s", hant_last_error());
    uint8_t x[16] = { 0 }, y[16];
    float yf[16];
    HT_CHECK(hant_qconv_forward_u8(q, 0, 2, 2, x, y) == HANT_ERR_INVALID_ARG, "n 0");
    HT_CHECK(hant_qconv_forward_u8(q, 1, 2, 2, NULL, y) == HANT_ERR_INVALID_ARG, "NULL x");
    HT_CHECK(hant_qconv_forward_f32(q, 1, 2, 2, x, NULL) == HANT_ERR_INVALID_ARG, "NULL y");
    HT_CHECK(hant_qconv_forward_u8(NULL, 1, 2, 2, x, y) == HANT_ERR_INVALID_ARG, "NULL layer");
    HT_CHECK(hant_qconv_forward_f32(q, 1, 2, 2, x, yf) == HANT_OK, "valid forward");
    for (int i = 0; i < 16; i++) HT_CHECK(yf[i] == 0.0f, "zero weights give 0: %g", yf[i]);
    hant_qconv_destroy(q);
    hant_qconv_destroy(NULL);
}

/* hant_int8_isa() names the int8 path this build compiled, as the compiler's
   predefined macros (and HANT_NO_SIMD / HANT_INT8_VNNI256) decide. */
static void test_int8_isa(void) {
#if defined(HANT_NO_SIMD) || !(defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__)))
    const char *want = "scalar";
#elif defined(__AVX512F__) && defined(__AVX512VNNI__) && defined(__AVX512BW__) && !defined(HANT_INT8_VNNI256)
    const char *want = "avx512vnni";
#elif defined(__AVXVNNI__)
    const char *want = "avxvnni";
#elif defined(HANT_INT8_VNNI256) && defined(__AVX512VNNI__) && defined(__AVX512VL__)
    const char *want = "avxvnni(evex)";
#else
    const char *want = "avx2";
#endif
    HT_CHECK(strcmp(hant_int8_isa(), want) == 0, "hant_int8_isa() %s, this build's macros say %s", hant_int8_isa(), want);
}


/* ---- int8 blocks in a network ---------------------------------------------- */
/* A headless network of the given blocks on a 7x7x8 input. */
static hant_net *q8_net(hant_context *ctx, const hant_block_spec *blocks, int nb, int quant, uint64_t seed) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 7; a.in_w = 7; a.in_c = blocks[0].cin; a.bn_eps = 1e-3f;
    a.num_blocks = nb;
    for (int i = 0; i < nb; i++) { a.blocks[i] = blocks[i]; a.blocks[i].quant = quant && blocks[i].kind != HANT_BLOCK_IDENTITY; }
    hant_net *net = NULL;
    if (hant_net_create(ctx, &a, seed, &net)) { HT_CHECK(0, "create: %s", hant_last_error()); return NULL; }
    ht_seed(seed);
    ht_randomise_bn(net);
    return net;
}

static double q8_max_abs(const float *a, const float *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - (b ? b[i] : 0.0)));
    return m;
}
static double q8_mean_abs(const float *a, const float *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m += fabs((double)a[i] - b[i]);
    return m / (double)n;
}

static const hant_block_spec q8_specs[] = {
    { HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },     /* expand, SE, residual */
    { HANT_BLOCK_MBCONV, 8, 12, 1, 5, 2, 0.0f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 },     /* no expand: dw reads the block input */
    { HANT_BLOCK_MBCONV, 8, 16, 6, 3, 2, 0.0f, HANT_ACT_RELU6, 1, 0, 0, 0, 0, 0, 0 },    /* u8 all the way to the project */
    { HANT_BLOCK_FUSED_MBCONV, 8, 8, 2, 3, 1, 0.25f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
    { HANT_BLOCK_FUSED_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 }, /* residual after SE */
    { HANT_BLOCK_FUSED_MBCONV, 8, 16, 4, 5, 2, 0.0f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 },
    { HANT_BLOCK_CONV, 8, 12, 1, 3, 2, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
    { HANT_BLOCK_CONV, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU, 8, 0, 0, 0, 0, 0, 0 },          /* depthwise conv block */
    /* imported networks: hidden width, MobileNetV3's SE; ResNet blocks (the projection shares the first conv's point) */
    { HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.0f, HANT_ACT_HSWISH, 1, 0, 0, 20, 6, HANT_ACT_RELU, HANT_ACT_HSIGMOID },
    { HANT_BLOCK_MBCONV, 8, 12, 2, 5, 2, 0.25f, HANT_ACT_RELU, 1, 0, 0, 13, 0, HANT_ACT_RELU, 0 },
    /* a hidden width past 4 vectors and not a multiple of one: the SE gating's 4-vector narrowing and its tails */
    { HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 88, 0, 0, 0 },
    { HANT_BLOCK_RESNET_BASIC, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 },
    { HANT_BLOCK_RESNET_BASIC, 8, 12, 1, 3, 2, 0.0f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 },
    { HANT_BLOCK_RESNET_BOTTLENECK, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU, 1, 0, 0, 4, 0, 0, 0 },
    { HANT_BLOCK_RESNET_BOTTLENECK, 8, 16, 1, 3, 2, 0.0f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 },
};
#define Q8_NSPECS ((int)(sizeof q8_specs / sizeof q8_specs[0]))

/* int8 inference against the fp32 forward with the same fake quantisation
   (the training arithmetic with BN folded): they differ only where a value
   sits on a rounding boundary (a one-step flip that propagates) and by the
   int32 bias rounding. Measured worst case over these blocks: see the bound. */
static void test_q8_block_matches_fake_quant(void) {
    enum { NB = 8 };
    for (int k = 0; k < Q8_NSPECS; k++) {
        for (int t = 0; t < 2; t++) {
            hant_context *ctx = t ? ctx2 : ctx1;
            hant_net *q = q8_net(ctx, &q8_specs[k], 1, 1, 100 + (uint64_t)k), *f = q8_net(ctx, &q8_specs[k], 1, 0, 100 + (uint64_t)k);
            if (!q || !f) { hant_net_destroy(q); hant_net_destroy(f); return; }
            size_t nx = (size_t)NB * 7 * 7 * 8, ny = (size_t)NB * hant_net_output_size(q), per = (size_t)hant_net_output_size(q);
            float *x = malloc(nx * 4), *y8 = malloc(ny * 4), *yr = malloc(ny * 4), *yf = malloc(ny * 4), *y1 = malloc(ny * 4);
            ht_fill(x, nx, -1.5f, 1.5f);
            HT_CHECK(hant_net_forward(q, x, NB, y8) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "not calibrated"), "spec %d: uncalibrated forward ran", k);
            HT_CHECK(hant_net_calibrate(q, x, NB, 100) == HANT_OK, "calibrate: %s", hant_last_error());
            HT_CHECK(hant_net_forward(q, x, NB, y8) == HANT_OK, "int8 forward: %s", hant_last_error());
            /* an SE that writes the next int8 conv's u8 input gives what gating, then quantising, gives */
            int fused = 0;
            for (int i = 0; i < q->nops; i++)
                if (q->ops[i].q8next) { fused++; q->ops[i].q8next = 0; q->slot_u8[q->ops[i].out] = 0; }
            if (fused) {
                HT_CHECK(hant_net_forward(q, x, NB, yr) == HANT_OK, "int8 forward, SE unfused");
                HT_CHECK(memcmp(yr, y8, ny * 4) == 0, "spec %d t%d: SE fused with the quantisation differs from SE then quantise", k, t);
            }
            HT_CHECK(fused == (k == 0 || k == 3 || k == 8 || k == 9 || k == 10), "spec %d: %d SE ops write u8", k, fused); /* spec 4: the residual follows SE */
            hant_net_set_int8_reference(q, 1);
            HT_CHECK(hant_net_forward(q, x, NB, yr) == HANT_OK, "reference forward: %s", hant_last_error());
            hant_net_set_int8_reference(q, 0);
            HT_CHECK(hant_net_forward(f, x, NB, yf) == HANT_OK, "fp32 forward");
            /* batch 1, image by image (one exec, kernels split) equals the batched run (per-thread micro-batches) */
            for (int i = 0; i < NB; i++) hant_net_forward(q, x + (size_t)i * 7 * 7 * 8, 1, y1 + (size_t)i * per);
            double range = q8_max_abs(yr, NULL, ny), d8 = q8_max_abs(y8, yr, ny), m8 = q8_mean_abs(y8, yr, ny), mf = q8_mean_abs(yf, yr, ny);
            HT_CHECK(d8 <= 0.02 * range, "spec %d t%d: int8 vs fake-quant max |diff| %g, range %g", k, t, d8, range);
            /* the int8 path is quantised as the reference is: far closer to it than fp32 is */
            HT_CHECK(m8 * 4 < mf, "spec %d t%d: mean |int8 - ref| %g, |fp32 - ref| %g", k, t, m8, mf);
            HT_CHECK(q8_max_abs(y1, y8, ny) <= 1e-5 * range, "spec %d t%d: batch 1 vs batch %d: %g", k, t, NB, q8_max_abs(y1, y8, ny));
            if (getenv("HT_VERBOSE")) fprintf(stderr, "  q8 spec %d t%d: range %.3f max|int8-ref| %.2e mean %.2e, mean|fp32-ref| %.2e\n", k, t, range, d8, m8, mf);
            free(x); free(y8); free(yr); free(yf); free(y1);
            hant_net_destroy(q); hant_net_destroy(f);
        }
    }
}

/* Loss = sum(y * r) of a training forward; central differences of it. */
static int q8_fd(hant_net *net, const float *x0, int n, const float *r, const float *dx, const float *G, size_t idx, int on_x, double *an, double *fd) {
    size_t nx = (size_t)n * net->slot_size[0], no = (size_t)n * hant_net_output_size(net), np;
    float *x = malloc(nx * 4), *y = malloc(no * 4), *P = hant_net_param_data(net, &np);
    memcpy(x, x0, nx * 4);
    float *p = on_x ? &x[idx] : &P[idx];
    *fd = ht_fd_dot(net, x, n, r, no, y, p, 2e-3 * (fabs(*p) > 1 ? fabs(*p) : 1));
    *an = on_x ? dx[idx] : G[idx];
    free(x); free(y);
    return HT_CLOSE(*an, *fd, 5e-3 * sqrt((double)no), 3e-2);
}

/* The straight-through gradient is the exact gradient of the forward with
   round() replaced by the identity (clamping kept: no gradient where the
   input was clipped). With that forward (fq_noround) every parameter and
   input is checked by finite differences; 99th-percentile ranges make some
   inputs clip. With rounding, the loss is smooth in what follows the last
   quantisation point: the project BN, checked the same way. */
static void test_q8_fake_quant_backward_fd(void) {
    enum { NB = 3 };
    const hant_block_spec sets[2][3] = {
        { { HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
          { HANT_BLOCK_FUSED_MBCONV, 8, 12, 2, 3, 2, 0.25f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
          { HANT_BLOCK_CONV, 12, 12, 1, 3, 1, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } },
        /* ResNet: projections (sharing the first conv's point), the act after the add; last: conv2's BN */
        { { HANT_BLOCK_RESNET_BASIC, 8, 12, 1, 3, 2, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
          { HANT_BLOCK_RESNET_BOTTLENECK, 12, 12, 1, 3, 1, 0.0f, HANT_ACT_SILU, 1, 0, 0, 4, 0, 0, 0 },
          { HANT_BLOCK_RESNET_BASIC, 12, 12, 1, 3, 1, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } } };
    for (int t = 0; t < 4; t++) {
        const hant_block_spec *blocks = sets[t / 2];
        hant_net *net = q8_net(t % 2 ? ctx2 : ctx1, blocks, 3, 1, 7 + (uint64_t)t);
        if (!net) return;
        size_t nx = (size_t)NB * net->slot_size[0], no = (size_t)NB * hant_net_output_size(net), np;
        float *x = malloc(nx * 4), *r = malloc(no * 4), *y = malloc(no * 4), *yoff = malloc(no * 4), *dx = malloc(nx * 4);
        hant_net_param_data(net, &np);
        float *G = malloc(np * 4);
        ht_fill(x, nx, -1, 1);
        ht_fill(r, no, -1, 1);
        /* ranges from activations as training sees them (running statistics =
           this batch's), so only the tails clip and few probes straddle a kink */
        hant_net_bn_calibrate_begin(net);
        hant_net_bn_calibrate(net, x, NB);
        HT_CHECK(hant_net_calibrate(net, x, NB, 99) == HANT_OK, "calibrate: %s", hant_last_error());
        for (int round = 0; round < 2; round++) {
            net->fq_noround = !round;
            hant_net_zero_grad(net);
            HT_CHECK(hant_net_train_forward(net, x, NB, y) == HANT_OK && hant_net_train_backward_input(net, r, dx) == HANT_OK, "train step");
            memcpy(G, hant_net_grad_data(net, NULL), np * 4);
            int bad = 0, probes = 0;
            double an, fd;
            if (!round) {
                for (int probe = 0; probe < 60; probe++) {
                    int on_x = probe % 3 == 0;
                    size_t idx = (size_t)(ht_u64() % (on_x ? nx : np));
                    probes++;
                    if (!q8_fd(net, x, NB, r, dx, G, idx, on_x, &an, &fd)) {
                        if (bad < 3) HT_CHECK(0, "t%d clip-only FD %s[%zu]: analytic %g fd %g", t, on_x ? "x" : "param", idx, an, fd);
                        bad++;
                    }
                }
            } else { /* the last block's BN scale and shift (a conv block: its only BN) */
                const hant__unit *u = &net->units[net->nunits - 1];
                for (int c = 0; c < u->s.cout; c++)
                    for (int which = 0; which < 2; which++, probes++)
                        if (!q8_fd(net, x, NB, r, dx, G, (which ? u->beta : u->gamma) + (size_t)c, 0, &an, &fd)) {
                            if (bad < 3) HT_CHECK(0, "t%d rounded FD %s[%d]: analytic %g fd %g", t, which ? "beta" : "gamma", c, an, fd);
                            bad++;
                        }
            }
            HT_CHECK(bad == 0, "t%d %s: %d of %d probes off", t, round ? "rounded" : "clip-only", bad, probes);
        }
        /* fake quantisation is active: switching it off changes the training output */
        net->fq_noround = 0;
        hant_net_train_forward(net, x, NB, y);
        hant_net_set_fake_quant(net, 0);
        hant_net_train_forward(net, x, NB, yoff);
        HT_CHECK(q8_max_abs(y, yoff, no) > 0, "fake quantisation changed nothing");
        free(x); free(r); free(y); free(yoff); free(dx); free(G);
        hant_net_destroy(net);
    }
}

/* Training (fake-quant, batch statistics) and int8 inference agree when the
   running statistics are those of the batch (BN recalibrated on it): the
   gap left is the unbiased (N/(N-1)) running variance and rounding flips. */
static void test_q8_train_matches_inference(void) {
    enum { NB = 8 };
    const hant_block_spec blocks[] = { { HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                                       { HANT_BLOCK_FUSED_MBCONV, 8, 12, 2, 3, 2, 0.0f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 } };
    hant_net *net = q8_net(ctx1, blocks, 2, 1, 21);
    if (!net) return;
    size_t nx = (size_t)NB * net->slot_size[0], no = (size_t)NB * hant_net_output_size(net);
    float *x = malloc(nx * 4), *yt = malloc(no * 4), *y8 = malloc(no * 4);
    ht_fill(x, nx, -1, 1);
    hant_net_bn_calibrate_begin(net);
    HT_CHECK(hant_net_bn_calibrate(net, x, NB) == HANT_OK, "bn calibrate");
    HT_CHECK(hant_net_calibrate(net, x, NB, 100) == HANT_OK, "calibrate: %s", hant_last_error());
    HT_CHECK(hant_net_train_forward(net, x, NB, yt) == HANT_OK, "train forward");
    HT_CHECK(hant_net_forward(net, x, NB, y8) == HANT_OK, "int8 forward");
    double range = q8_max_abs(yt, NULL, no), d = q8_mean_abs(y8, yt, no);
    HT_CHECK(d <= 0.01 * range, "mean |int8 - train| %g, range %g", d, range);
    free(x); free(yt); free(y8);
    hant_net_destroy(net);
}

static void test_q8_api(void) {
    hant_net *net = q8_net(ctx1, &q8_specs[0], 1, 1, 5);
    if (!net) return;
    hant_qparams qp[3] = { { 0.1f, 10 }, { 0.2f, 0 }, { 0.05f, 255 } }, got[3];
    int cnt = -1;
    HT_CHECK(hant_net_block_qparams(net, 0, got, 3, &cnt) == HANT_OK && cnt == 0, "uncalibrated count %d", cnt);
    HT_CHECK(!hant_net_int8_ready(net), "uncalibrated net ready");
    HT_CHECK(hant_net_set_block_qparams(net, 0, qp, 2) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "3 quantisation points"), "wrong count");
    hant_qparams bad[3] = { { 0.1f, 10 }, { 0.0f, 0 }, { 0.05f, 255 } };
    HT_CHECK(hant_net_set_block_qparams(net, 0, bad, 3) == HANT_ERR_INVALID_ARG, "zero scale");
    bad[1].scale = -1; HT_CHECK(hant_net_set_block_qparams(net, 0, bad, 3) == HANT_ERR_INVALID_ARG, "negative scale");
    bad[1].scale = NAN; HT_CHECK(hant_net_set_block_qparams(net, 0, bad, 3) == HANT_ERR_INVALID_ARG, "NaN scale");
    bad[1].scale = 1; bad[1].zero_point = 256; HT_CHECK(hant_net_set_block_qparams(net, 0, bad, 3) == HANT_ERR_INVALID_ARG, "zero point 256");
    HT_CHECK(hant_net_set_block_qparams(net, 0, qp, 3) == HANT_OK && hant_net_int8_ready(net), "set: %s", hant_last_error());
    HT_CHECK(hant_net_block_qparams(net, 0, got, 3, &cnt) == HANT_OK && cnt == 3 && got[2].zero_point == 255 && got[1].scale == 0.2f, "get back");
    HT_CHECK(hant_net_block_qparams(net, 0, got, 2, &cnt) == HANT_ERR_INVALID_ARG, "cap too small");
    HT_CHECK(hant_net_block_qparams(net, 1, got, 3, &cnt) == HANT_ERR_INVALID_ARG, "block out of range");
    float x[7 * 7 * 8];
    ht_fill(x, 7 * 7 * 8, -1, 1);
    HT_CHECK(hant_net_calibrate(net, x, 1, 40) == HANT_ERR_INVALID_ARG, "percentile 40");
    x[17] = NAN;
    HT_CHECK(hant_net_calibrate(net, x, 1, 100) == HANT_ERR_NONFINITE, "NaN input calibrated: %s", hant_last_error());
    HT_CHECK(!hant_net_int8_ready(net), "a failed calibration leaves the net calibrated");
    hant_net_destroy(net);
    /* specs: what int8 refuses */
    hant_block_spec b = q8_specs[0];
    b.quant = 2; HT_CHECK(hant_block_validate(&b, 7, 7) == HANT_ERR_INVALID_ARG, "quant 2");
    b.quant = 1; b.tiled = 3; HT_CHECK(hant_block_validate(&b, 7, 7) == HANT_ERR_INVALID_ARG, "tiled 3");
    hant_block_spec id = { HANT_BLOCK_IDENTITY, 8, 8, 1, 1, 1, 0.0f, HANT_ACT_NONE, 1, 1, 0, 0, 0, 0, 0 };
    HT_CHECK(hant_block_validate(&id, 7, 7) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "nothing to quantise"), "int8 identity");
    hant_block_spec g = { HANT_BLOCK_CONV, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU, 2, 1, 0, 0, 0, 0, 0 };
    HT_CHECK(hant_block_validate(&g, 7, 7) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "groups"), "int8 grouped conv");
    hant_block_spec deep = { HANT_BLOCK_FUSED_MBCONV, 2048, 2048, 1, 3, 1, 0.0f, HANT_ACT_RELU, 1, 1, 0, 0, 0, 0, 0 };
    HT_CHECK(hant_block_validate(&deep, 7, 7) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "depth"), "int8 depth 18432");
}

/* ResNet blocks: 2 (basic) or 3 (bottleneck) points; a projection reads the
   block input, as the first conv does, and takes its parameters. */
static void test_q8_resnet_points(void) {
    const int want[4] = { 2, 2, 3, 3 };
    for (int k = 0; k < 4; k++) {
        const hant_block_spec *spec = &q8_specs[Q8_NSPECS - 4 + k];
        hant_net *net = q8_net(ctx1, spec, 1, 1, 60 + (uint64_t)k);
        if (!net) return;
        float x[2 * 7 * 7 * 8];
        ht_fill(x, 2 * 7 * 7 * 8, -1, 1);
        hant_qparams qp[3];
        int cnt = -1;
        HT_CHECK(hant_net_calibrate(net, x, 2, 100) == HANT_OK, "calibrate: %s", hant_last_error());
        HT_CHECK(hant_net_block_qparams(net, 0, qp, 3, &cnt) == HANT_OK && cnt == want[k], "spec %d: %d points, want %d", k, cnt, want[k]);
        int proj = -1;
        for (int i = 0; i < net->nunits; i++) if (net->units[i].qshare >= 0) proj = i;
        HT_CHECK((proj >= 0) == (spec->stride != 1 || spec->cin != spec->cout), "spec %d: projection %d", k, proj);
        if (proj >= 0) {
            const hant__unit *u = &net->units[proj];
            HT_CHECK(u->qset && u->qin.scale == qp[0].scale && u->qin.zero_point == qp[0].zero_point, "spec %d: projection's point", k);
            hant_qparams mine[3] = { { 0.03f, 100 }, { 0.02f, 0 }, { 0.01f, 5 } };
            HT_CHECK(hant_net_set_block_qparams(net, 0, mine, cnt) == HANT_OK, "set: %s", hant_last_error());
            HT_CHECK(u->qin.scale == 0.03f && u->qin.zero_point == 100, "spec %d: set does not reach the projection", k);
        }
        hant_net_destroy(net);
    }
}

/* An int8 head (arch.head_quant): its 1x1 conv runs int8 with one
   quantisation point; pool and classifier stay fp32. Same checks as a block:
   int8 against the fake-quant reference, the API, training's straight-through
   gradient by finite differences (rounding off), and a file round trip. */
static hant_net *q8_head_net(hant_context *ctx, int head_quant, uint64_t seed) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 7; a.in_w = 7; a.in_c = 1; a.bn_eps = 1e-3f; a.num_classes = 5;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_SILU;
    a.head_cout = 24; a.head_act = HANT_ACT_SILU; a.head_quant = head_quant;
    a.num_blocks = 1; a.blocks[0] = q8_specs[0];
    hant_net *net = NULL;
    if (hant_net_create(ctx, &a, seed, &net)) { HT_CHECK(0, "create: %s", hant_last_error()); return NULL; }
    ht_seed(seed);
    ht_randomise_bn(net);
    return net;
}

static void test_q8_head(void) {
    enum { NB = 6 };
    for (int t = 0; t < 2; t++) {
        hant_net *q = q8_head_net(t ? ctx2 : ctx1, HANT_QUANT_INT8, 31), *f = q8_head_net(t ? ctx2 : ctx1, 0, 31);
        if (!q || !f) { hant_net_destroy(q); hant_net_destroy(f); return; }
        size_t nx = (size_t)NB * 49, ny = (size_t)NB * 5;
        float x[NB * 49], y8[NB * 5], yr[NB * 5], yf[NB * 5];
        ht_fill(x, nx, -1.5f, 1.5f);
        HT_CHECK(hant_net_forward(q, x, NB, y8) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "head is int8"), "uncalibrated head ran: %s", hant_last_error());
        HT_CHECK(hant_net_calibrate(q, x, NB, 100) == HANT_OK, "calibrate: %s", hant_last_error());
        hant_qparams qp[3];
        int cnt = -1;
        HT_CHECK(hant_net_block_qparams(q, 1, qp, 3, &cnt) == HANT_OK && cnt == 1 && qp[0].scale > 0, "head qparams: count %d", cnt);
        HT_CHECK(hant_net_block_qparams(q, 0, qp, 3, &cnt) == HANT_OK && cnt == 0, "fp32 block 0 has %d points", cnt);
        HT_CHECK(hant_net_block_qparams(q, 2, qp, 3, &cnt) == HANT_ERR_INVALID_ARG, "part 2 accepted");
        HT_CHECK(hant_net_set_block_qparams(f, 1, qp, 1) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "head is not int8"), "fp32 head took qparams");
        HT_CHECK(hant_net_forward(q, x, NB, y8) == HANT_OK, "int8 forward: %s", hant_last_error());
        hant_net_set_int8_reference(q, 1);
        HT_CHECK(hant_net_forward(q, x, NB, yr) == HANT_OK, "reference forward");
        hant_net_set_int8_reference(q, 0);
        HT_CHECK(hant_net_forward(f, x, NB, yf) == HANT_OK, "fp32 forward");
        double range = q8_max_abs(yr, NULL, ny), d8 = q8_max_abs(y8, yr, ny), m8 = q8_mean_abs(y8, yr, ny), mf = q8_mean_abs(yf, yr, ny);
        HT_CHECK(d8 <= 0.02 * range, "t%d: int8 head vs fake-quant max |diff| %g, range %g", t, d8, range);
        HT_CHECK(m8 * 4 < mf, "t%d: mean |int8 - ref| %g, |fp32 - ref| %g", t, m8, mf);
        /* the straight-through gradient through the head, rounding off */
        if (t == 0) {
            float r[NB * 5], dx[NB * 49];
            size_t np;
            hant_net_param_data(q, &np);
            float *G = malloc(np * 4);
            ht_fill(r, ny, -1, 1);
            q->fq_noround = 1;
            hant_net_zero_grad(q);
            HT_CHECK(hant_net_train_forward(q, x, NB, y8) == HANT_OK && hant_net_train_backward_input(q, r, dx) == HANT_OK, "train step");
            memcpy(G, hant_net_grad_data(q, NULL), np * 4);
            const hant__unit *hu = &q->units[q->nunits - 2]; /* head conv; the FC is last */
            int bad = 0;
            double an, fd;
            for (int probe = 0; probe < 40; probe++) {
                size_t idx = probe % 4 == 0 ? (size_t)(ht_u64() % nx) : hu->w + (size_t)(ht_u64() % hu->wcount);
                if (!q8_fd(q, x, NB, r, dx, G, idx, probe % 4 == 0, &an, &fd) && bad++ < 3) HT_CHECK(0, "head FD [%zu]: analytic %g fd %g", idx, an, fd);
            }
            HT_CHECK(bad == 0, "%d of 40 head probes off", bad);
            q->fq_noround = 0;
            /* fake quantisation of the head is on in training */
            float yon[NB * 5], yoff[NB * 5];
            hant_net_train_forward(q, x, NB, yon);
            hant_net_set_fake_quant(q, 0);
            hant_net_train_forward(q, x, NB, yoff);
            hant_net_set_fake_quant(q, 1);
            HT_CHECK(q8_max_abs(yon, yoff, ny) > 0, "head fake quantisation changed nothing");
            free(G);
        }
        hant_net_destroy(q); hant_net_destroy(f);
    }
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 7; a.in_w = 7; a.in_c = 8; a.num_blocks = 1; a.blocks[0] = q8_specs[0]; a.head_quant = 1;
    HT_CHECK(hant_arch_validate(&a) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "head_quant"), "int8 head without a head");
    a.num_classes = 3; a.head_cout = 0;
    HT_CHECK(hant_arch_validate(&a) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "head_cout"), "int8 head without a head conv");
    a.head_cout = 4; a.head_quant = 2;
    HT_CHECK(hant_arch_validate(&a) == HANT_ERR_INVALID_ARG, "head_quant 2");
    a.head_quant = 1;
    char sig[256];
    HT_CHECK(hant_part_signature(&a, 1, sig, sizeof sig) == HANT_OK && strstr(sig, "head ") == sig && strstr(sig, " q=int8"), "head signature '%s'", sig);
}

/* hant_part_net keeps the calibration of an int8 block and of an int8 head,
   so every part of such a network runs alone: stem, block and head chained
   give the whole network's logits. */
static void test_q8_part_net(void) {
    enum { NB = 4 };
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 7; a.in_w = 7; a.in_c = 1; a.bn_eps = 1e-3f; a.num_classes = 5;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_SILU;
    a.head_cout = 24; a.head_act = HANT_ACT_SILU; a.head_quant = HANT_QUANT_INT8;
    a.num_blocks = 2; a.blocks[0] = q8_specs[0]; a.blocks[0].quant = HANT_QUANT_INT8; a.blocks[1] = q8_specs[3]; a.blocks[1].quant = HANT_QUANT_INT8;
    hant_net *net = NULL, *part[4] = { NULL, NULL, NULL, NULL };
    if (hant_net_create(ctx2, &a, 41, &net)) { HT_CHECK(0, "create: %s", hant_last_error()); return; }
    ht_seed(41);
    ht_randomise_bn(net);
    float x[NB * 49], y[NB * 5], yp[NB * 5], act0[NB * 7 * 7 * 8], act1[NB * 7 * 7 * 8], act2[NB * 7 * 7 * 8];
    ht_fill(x, NB * 49, -1.5f, 1.5f);
    HT_CHECK(hant_net_calibrate(net, x, NB, 100) == HANT_OK, "calibrate: %s", hant_last_error());
    HT_CHECK(hant_net_forward(net, x, NB, y) == HANT_OK, "whole forward: %s", hant_last_error());
    for (int p = HANT_PART_STEM; p <= a.num_blocks; p++)
        HT_CHECK(hant_part_net(ctx2, net, p, &part[p + 1]) == HANT_OK, "part %d: %s", p, hant_last_error());
    if (part[0] && part[1] && part[2] && part[3]) {
        hant_qparams q0[3], q1[3];
        int k0 = -1, k1 = -1;
        HT_CHECK(hant_net_block_qparams(net, 2, q0, 3, &k0) == HANT_OK && hant_net_block_qparams(part[3], 0, q1, 3, &k1) == HANT_OK && k0 == 1 && k1 == 1 &&
                 q0[0].scale == q1[0].scale && q0[0].zero_point == q1[0].zero_point, "head points: whole %d, part %d", k0, k1);
        HT_CHECK(hant_net_int8_ready(part[3]), "the head part is not calibrated");
        HT_CHECK(hant_net_forward(part[0], x, NB, act0) == HANT_OK && hant_net_forward(part[1], act0, NB, act1) == HANT_OK &&
                 hant_net_forward(part[2], act1, NB, act2) == HANT_OK, "stem or block parts: %s", hant_last_error());
        HT_CHECK(hant_net_forward(part[3], act2, NB, yp) == HANT_OK, "the int8 head alone: %s", hant_last_error());
        double range = q8_max_abs(y, NULL, NB * 5), d = q8_max_abs(yp, y, NB * 5);
        HT_CHECK(range > 0 && d <= 1e-5 * range + 1e-6, "parts chained vs whole: max |diff| %g, range %g", d, range);
    }
    for (int i = 0; i < 4; i++) hant_net_destroy(part[i]);
    hant_net_destroy(net);
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config c1 = { 1, 0, { 0 }, 0 }, c2 = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&c1, &ctx1) || hant_context_create(&c2, &ctx2)) { printf("context: %s\n0 passed, 1 failed\n", hant_last_error()); return 1; }
    fprintf(stderr, "isa %s, int8 %s\n", hant_isa(), hant_int8_isa());
    HT_RUN(test_int8_isa);
    HT_RUN(test_pointwise);
    HT_RUN(test_dense);
    HT_RUN(test_depthwise);
    HT_RUN(test_saturation_worst_case);
    HT_RUN(test_float_accuracy);
    HT_RUN(test_calibration);
    HT_RUN(test_quantize_helpers);
    HT_RUN(test_bad_input);
    HT_RUN(test_q8_block_matches_fake_quant);
    HT_RUN(test_q8_fake_quant_backward_fd);
    HT_RUN(test_q8_train_matches_inference);
    HT_RUN(test_q8_api);
    HT_RUN(test_q8_resnet_points);
    HT_RUN(test_q8_head);
    HT_RUN(test_q8_part_net);
    fprintf(stderr, "%d layer cases, each: SIMD on 1 and 2 threads and the scalar twin against the reference, u8 and f32 out\n", ncases);
    hant_context_destroy(ctx1);
    hant_context_destroy(ctx2);
    return HT_SUMMARY();
}
