/* test_contract.c - the public kernels check their arguments.
 *
 * HANT_ASSERT records here instead of aborting, so every bad call must both
 * fire it and leave its outputs untouched (the kernel returns early). The
 * status-returning functions must fail with a message instead. */
#ifndef HT_ALL /* tests/test_all.c defines one that counts while this suite runs */
static int asserts_fired;
#define HANT_ASSERT(x) ((x) ? (void)0 : (void)asserts_fired++)
#endif
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"

static hant_context *ctx;

/* Runs `call`; checks that HANT_ASSERT fired exactly once and that the
   message mentions `what`. */
#define EXPECT_FIRE(what, call) do { int before_ = asserts_fired; call; \
    HT_CHECK(asserts_fired == before_ + 1, "%s: HANT_ASSERT fired %d times", #call, asserts_fired - before_); \
    HT_CHECK(strstr(hant_last_error(), what) != NULL, "%s: message '%s' lacks '%s'", #call, hant_last_error(), what); } while (0)
#define EXPECT_QUIET(call) do { int before_ = asserts_fired; call; \
    HT_CHECK(asserts_fired == before_, "%s: HANT_ASSERT fired on a valid call", #call); } while (0)

#define BIG 4096
static float xb[BIG], wb[BIG], yb[BIG], db[BIG];

static int untouched(const float *y, size_t n) {
    for (size_t i = 0; i < n; i++) if (y[i] != 7.0f) return 0;
    return 1;
}
static void poison(float *y, size_t n) { for (size_t i = 0; i < n; i++) y[i] = 7.0f; }

static void test_conv_forward_checks(void) {
    hant_conv_shape ok = { 1, 4, 4, 4, 4, 3, 1, 4 }; /* depthwise 3x3 */
    EXPECT_QUIET(hant_conv_forward(ctx, &ok, xb, wb, NULL, HANT_ACT_RELU, NULL, yb));
    const struct { hant_conv_shape s; const char *what; } bad[] = {
        { { 1, 4, 4, 4, 4, 9, 1, 4 }, "depthwise kernel 9" },   /* overran the 7x7 tap arrays */
        { { 1, 4, 4, 4, 4, 4, 1, 1 }, "kernel 4" },             /* even */
        { { 1, 4, 4, 4, 4, 0, 1, 1 }, "kernel 0" },
        { { 1, 4, 4, 4, 4, -3, 1, 1 }, "kernel -3" },
        { { 1, 4, 4, 4, 4, 3, 0, 1 }, "stride 0" },
        { { 0, 4, 4, 4, 4, 3, 1, 1 }, "n 0" },
        { { 1, 0, 4, 4, 4, 3, 1, 1 }, "h 0" },
        { { 1, 4, -1, 4, 4, 3, 1, 1 }, "w -1" },
        { { 1, 4, 4, 0, 4, 1, 1, 1 }, "cin 0" },
        { { 1, 4, 4, 4, 0, 1, 1, 1 }, "cout 0" },
        { { 1, 4, 4, 6, 6, 3, 1, 4 }, "groups 4" },             /* does not divide */
        { { 1, 4, 4, 4, 4, 3, 1, -2 }, "groups -2" },
        { { 70000, 70000, 70000, 4, 4, 1, 1, 1 }, "too large" }, /* n*h*w overflows 32 bits */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        poison(yb, BIG);
        EXPECT_FIRE(bad[i].what, hant_conv_forward(ctx, &bad[i].s, xb, wb, NULL, HANT_ACT_NONE, NULL, yb));
        HT_CHECK(untouched(yb, BIG), "case %zu wrote y", i);
    }
    EXPECT_FIRE("NULL", hant_conv_forward(ctx, NULL, xb, wb, NULL, HANT_ACT_NONE, NULL, yb));
    EXPECT_FIRE("NULL", hant_conv_forward(NULL, &ok, xb, wb, NULL, HANT_ACT_NONE, NULL, yb));
    EXPECT_FIRE("NULL", hant_conv_forward(ctx, &ok, NULL, wb, NULL, HANT_ACT_NONE, NULL, yb));
    EXPECT_FIRE("NULL", hant_conv_forward(ctx, &ok, xb, wb, NULL, HANT_ACT_NONE, NULL, NULL));
    EXPECT_FIRE("act 99", hant_conv_forward(ctx, &ok, xb, wb, NULL, (hant_act)99, NULL, yb));
}

static void test_conv_backward_checks(void) {
    hant_conv_shape ok = { 1, 4, 4, 4, 4, 3, 1, 4 };
    EXPECT_QUIET(hant_conv_backward(ctx, &ok, xb, wb, yb, db, 0, wb + 1024));
    hant_conv_shape dw9 = { 1, 4, 4, 4, 4, 9, 1, 4 }; /* the example */
    poison(db, BIG);
    EXPECT_FIRE("depthwise kernel 9", hant_conv_backward(ctx, &dw9, xb, wb, yb, db, 0, db + 2048));
    HT_CHECK(untouched(db, BIG), "dx or dw written");
    hant_conv_shape s0 = { 1, 4, 4, 4, 4, 3, 0, 1 };
    EXPECT_FIRE("stride 0", hant_conv_backward(ctx, &s0, xb, wb, yb, db, 0, NULL));
    EXPECT_FIRE("dy is NULL", hant_conv_backward(ctx, &ok, xb, wb, NULL, db, 0, NULL));
    EXPECT_FIRE("dx without w", hant_conv_backward(ctx, &ok, xb, NULL, yb, db, 0, NULL));
    EXPECT_FIRE("dw without x", hant_conv_backward(ctx, &ok, NULL, wb, yb, NULL, 0, db));
}

static void test_gemm_checks(void) {
    EXPECT_QUIET(hant_gemm(ctx, 0, 0, 4, 5, 6, xb, 6, wb, 5, 0.0f, yb, 5));
    EXPECT_QUIET(hant_gemm(ctx, 0, 0, 0, 5, 6, NULL, 6, NULL, 5, 0.0f, NULL, 5)); /* empty */
    poison(yb, BIG);
    EXPECT_FIRE("m -1", hant_gemm(ctx, 0, 0, -1, 5, 6, xb, 6, wb, 5, 0.0f, yb, 5));
    EXPECT_FIRE("lda 5", hant_gemm(ctx, 0, 0, 4, 5, 6, xb, 5, wb, 5, 0.0f, yb, 5));
    EXPECT_FIRE("lda 3", hant_gemm(ctx, 1, 0, 4, 5, 6, xb, 3, wb, 5, 0.0f, yb, 5)); /* A^T is k x m */
    EXPECT_FIRE("ldb 4", hant_gemm(ctx, 0, 0, 4, 5, 6, xb, 6, wb, 4, 0.0f, yb, 5));
    EXPECT_FIRE("ldb 5", hant_gemm(ctx, 0, 1, 4, 5, 6, xb, 6, wb, 5, 0.0f, yb, 5)); /* B^T is n x k */
    EXPECT_FIRE("ldc 4", hant_gemm(ctx, 0, 0, 4, 5, 6, xb, 6, wb, 5, 0.0f, yb, 4));
    EXPECT_FIRE("NULL", hant_gemm(ctx, 0, 0, 4, 5, 6, NULL, 6, wb, 5, 0.0f, yb, 5));
    EXPECT_FIRE("NULL", hant_gemm(NULL, 0, 0, 4, 5, 6, xb, 6, wb, 5, 0.0f, yb, 5));
    HT_CHECK(untouched(yb, BIG), "a failed gemm wrote c");
}

static void test_act_checks(void) {
    EXPECT_QUIET(hant_act_forward(HANT_ACT_HSIGMOID, xb, yb, 10));
    EXPECT_QUIET(hant_act_forward(HANT_ACT_RELU, NULL, NULL, 0));
    poison(yb, BIG);
    EXPECT_FIRE("act 7", hant_act_forward((hant_act)HANT_ACT_COUNT, xb, yb, 10));
    EXPECT_FIRE("act -1", hant_act_forward((hant_act)-1, xb, yb, 10));
    EXPECT_FIRE("NULL", hant_act_forward(HANT_ACT_RELU, xb, NULL, 10));
    EXPECT_FIRE("act 7", hant_act_backward((hant_act)HANT_ACT_COUNT, xb, xb, yb, 10));
    EXPECT_FIRE("NULL", hant_act_backward(HANT_ACT_RELU, xb, NULL, yb, 10));
    HT_CHECK(untouched(yb, BIG), "a failed activation wrote y");
}

static void test_quant_checks(void) {
    uint8_t u[16] = { 0 };
    float f[16];
    hant_qparams good = { 0.1f, 128 }, zero_scale = { 0.0f, 0 }, bad_zp = { 0.1f, 300 }, nan_scale = { NAN, 0 };
    EXPECT_QUIET(hant_quantize_u8(xb, 16, good, u));
    EXPECT_FIRE("scale 0", hant_quantize_u8(xb, 16, zero_scale, u));
    EXPECT_FIRE("zero point 300", hant_quantize_u8(xb, 16, bad_zp, u));
    EXPECT_FIRE("scale nan", hant_dequantize_u8(u, 16, nan_scale, f));
    EXPECT_FIRE("NULL", hant_dequantize_u8(u, 16, good, NULL));
    EXPECT_FIRE("NULL", hant_s8_to_u8(NULL, 16, u));
    int8_t wq[8];
    float sc[2];
    HT_CHECK(hant_quantize_weights(xb, 4, 0, wq, sc) == HANT_ERR_INVALID_ARG, "cout 0 accepted");
    HT_CHECK(hant_quantize_weights(xb, SIZE_MAX / 2, 4, wq, sc) == HANT_ERR_INVALID_ARG, "rows * cout overflow accepted");
    hant_calib c;
    hant_calib_init(&c);
    float lo, hi;
    HT_CHECK(hant_calib_range(&c, 100, &lo, &hi) == HANT_ERR_INVALID_ARG, "range of no samples");
    HT_CHECK(hant_calib_update(&c, NULL, 4) == HANT_ERR_INVALID_ARG, "NULL samples accepted");
    HT_CHECK(hant_calib_update(NULL, xb, 4) == HANT_ERR_INVALID_ARG, "NULL calibrator accepted");
    HT_CHECK(hant_calib_update(&c, xb, 4) == HANT_OK, "update: %s", hant_last_error());
    HT_CHECK(hant_calib_range(&c, 49, &lo, &hi) == HANT_ERR_INVALID_ARG, "percentile 49 accepted");
    HT_CHECK(hant_calib_range(&c, NAN, &lo, &hi) == HANT_ERR_INVALID_ARG, "percentile NaN accepted");
    HT_CHECK(hant_calib_qparams(&c, 100, NULL) == HANT_ERR_INVALID_ARG, "NULL out accepted");
}

static void test_qconv_checks(void) {
    int8_t w[9 * 9 * 4] = { 0 };
    float ws[4] = { 1, 1, 1, 1 };
    hant_qconv_desc d = { 4, 4, 3, 1, 4, w, ws, NULL, HANT_ACT_NONE, { 0.1f, 0 }, { 0.1f, 0 } };
    hant_qconv *q = NULL;
    HT_CHECK(hant_qconv_create(ctx, &d, &q) == HANT_OK, "valid depthwise: %s", hant_last_error());
    uint8_t x[64] = { 0 }, y[64];
    HT_CHECK(hant_qconv_forward_u8(q, 1, 4, 4, x, y) == HANT_OK, "forward: %s", hant_last_error());
    HT_CHECK(hant_qconv_forward_u8(q, 0, 4, 4, x, y) == HANT_ERR_INVALID_ARG, "n 0 accepted");
    HT_CHECK(hant_qconv_forward_u8(q, 1, 4, 4, NULL, y) == HANT_ERR_INVALID_ARG, "NULL x accepted");
    HT_CHECK(hant_qconv_forward_f32(q, 1, 4, 4, x, NULL) == HANT_ERR_INVALID_ARG, "NULL y accepted");
    HT_CHECK(hant_qconv_forward_u8(NULL, 1, 4, 4, x, y) == HANT_ERR_INVALID_ARG, "NULL layer accepted");
    hant_qconv_destroy(q);
    const struct { int k, s, g, cin; hant_status st; } bad[] = {
        { 9, 1, 4, 4, HANT_ERR_UNSUPPORTED }, { 0, 1, 4, 4, HANT_ERR_INVALID_ARG }, { 3, 0, 4, 4, HANT_ERR_INVALID_ARG },
        { 3, 1, 2, 4, HANT_ERR_UNSUPPORTED }, { 3, 1, -1, 4, HANT_ERR_INVALID_ARG }, { 3, 1, 1, 4000, HANT_ERR_UNSUPPORTED },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hant_qconv_desc e = d;
        e.kernel = bad[i].k; e.stride = bad[i].s; e.groups = bad[i].g; e.cin = bad[i].cin;
        q = (hant_qconv *)1;
        hant_status st = hant_qconv_create(ctx, &e, &q);
        HT_CHECK(st == bad[i].st && q == NULL, "case %zu: status %d (%s)", i, (int)st, hant_last_error());
    }
    hant_qconv_desc e = d;
    e.act = (hant_act)42;
    HT_CHECK(hant_qconv_create(ctx, &e, &q) == HANT_ERR_INVALID_ARG, "act 42 accepted");
    e = d; e.in.zero_point = 256;
    HT_CHECK(hant_qconv_create(ctx, &e, &q) == HANT_ERR_INVALID_ARG, "zero point 256 accepted");
    e = d; w[0] = -128;
    HT_CHECK(hant_qconv_create(ctx, &e, &q) == HANT_ERR_INVALID_ARG, "weight -128 accepted");
    w[0] = 0;
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config cfg = { 0 };
    cfg.threads = 2;
    if (hant_context_create(&cfg, &ctx) != HANT_OK) { printf("context: %s\n0 passed, 1 failed\n", hant_last_error()); return 1; }
    ht_fill(xb, BIG, -1, 1); ht_fill(wb, BIG, -1, 1); ht_fill(yb, BIG, -1, 1);
    HT_RUN(test_conv_forward_checks);
    HT_RUN(test_conv_backward_checks);
    HT_RUN(test_gemm_checks);
    HT_RUN(test_act_checks);
    HT_RUN(test_quant_checks);
    HT_RUN(test_qconv_checks);
    hant_context_destroy(ctx);
    return HT_SUMMARY();
}
