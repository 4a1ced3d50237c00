/* The Winograd F(4x4, 3x3) and F(2x2, 3x3) convolutions (>>winograd) against the scalar
   reference conv: odd maps, padding, channel counts off the vector width,
   K past one GEMM block, output channels past one GEMM pass, batches, 1 and
   2 threads (tiles or channels split) and 16 (a grid of both; same bits as 1 thread), with bias,
   activations and residual; with and without the prefetch of U's next panel (same bits). */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"

static hant_context *ctx1, *ctx2, *ctx16; /* 1, 2 and 16 threads */

static double rms(const float *x, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s / (double)(n ? n : 1));
}

/* Tolerance: Winograd's rounding error scales with the transformed values
   (B^T d B sums up to 10 inputs per dimension with weights up to 5, G has
   1/24-1/4, A^T up to 8), not with each output: an output near zero may
   carry the error of its large neighbours. So the bound is relative to the
   output's RMS: 2e-4 of it (measured up to 5.7e-5 on these shapes, growing
   with the channel count as any sum's; the direct sum stays near 1e-6),
   plus 1e-5 of the value itself. */
#define WINO_TOL 2e-4
static void check_shape(int m, int n, int h, int w, int cin, int cout, int variant) {
    hant_conv_shape s = { n, h, w, cin, cout, 3, 1, 1 };
    size_t nx = (size_t)n * h * w * cin, ny = (size_t)n * h * w * cout, nw = (size_t)9 * cin * cout;
    float *x = malloc(nx * 4), *wt = malloc(nw * 4), *b = malloc((size_t)cout * 4), *res = malloc(ny * 4);
    float *y = malloc(ny * 4), *r = malloc(ny * 4), *tmp = malloc((size_t)cin * cout * 4);
    float *uw = malloc(hant__wino_floats(m, cin, cout) * 4);
    ht_seed((unsigned long long)(n * 7 + h * 131 + w * 17 + cin * 3 + cout * 5 + variant));
    ht_fill(x, nx, -1, 1); ht_fill(wt, nw, -0.5f, 0.5f); ht_fill(b, (size_t)cout, -1, 1); ht_fill(res, ny, -1, 1);
    hant_act act = variant == 0 ? HANT_ACT_NONE : variant == 1 ? HANT_ACT_RELU : variant == 2 ? HANT_ACT_RELU6 : HANT_ACT_SILU;
    const float *bias = variant ? b : NULL, *rs = variant >= 2 ? res : NULL;
    ht_ref_conv(&s, x, wt, bias, act, rs, r);
    hant__wino_pack(m, wt, cin, cout, tmp, uw);
    double scale = rms(r, ny);
    float *y1 = malloc(ny * 4);
    for (int t = 0; t < 3; t++) {
        memset(y, 0xff, ny * 4); /* NaN: every output must be written */
        int ok = hant__wino_forward(t == 2 ? ctx16 : t ? ctx2 : ctx1, &s, m, x, uw, bias, act, rs, y);
        HT_CHECK(ok, "F(%d) n%d %dx%d %d->%d: Winograd refused the shape", m, n, h, w, cin, cout);
        if (!ok) continue;
        size_t at;
        double e = ht_max_err_ratio(y, r, ny, WINO_TOL * scale + 1e-30, 1e-5, &at);
        HT_CHECK(e <= 1, "F(%d) n%d %dx%d %d->%d act %s res %d threads %d: err ratio %g at %zu (%g vs %g, rms %g)", m, n, h, w, cin, cout,
                 hant_act_name(act), rs != NULL, t + 1, e, at, y[at], r[at], scale);
        if (getenv("HT_VERBOSE")) fprintf(stderr, "  F(%d) n%d %dx%d %d->%d v%d t%d: max err / rms %.3g\n", m, n, h, w, cin, cout, variant, t + 1,
                                          e * WINO_TOL);
        /* each output's sum runs the same K order however the threads split tiles and channels */
        if (t == 0) memcpy(y1, y, ny * 4);
        else HT_CHECK(!memcmp(y, y1, ny * 4), "F(%d) n%d %dx%d %d->%d v%d: %d threads differ from 1 in the bits", m, n, h, w, cin, cout, variant,
                      t == 2 ? 16 : 2);
    }
    /* U's next panel prefetched (the default) or not: prefetches only, the same bits */
    hant__wino_pf_off = 1;
    memset(y, 0xff, ny * 4);
    if (hant__wino_forward(ctx2, &s, m, x, uw, bias, act, rs, y))
        HT_CHECK(!memcmp(y, y1, ny * 4), "F(%d) n%d %dx%d %d->%d v%d: without the prefetch of U the bits differ", m, n, h, w, cin, cout, variant);
    hant__wino_pf_off = 0;
    free(y1);
    free(x); free(wt); free(b); free(res); free(y); free(r); free(tmp); free(uw);
}

static void test_winograd_shapes(void) {
    static const int shapes[][5] = {
        { 1, 1, 1, 1, 1 },      /* one pixel: every tap but the centre in the padding */
        { 1, 5, 7, 3, 5 },      /* odd map, partial tiles, few channels */
        { 2, 9, 11, 17, 19 },   /* batch, channels off the vector width */
        { 3, 8, 8, 33, 40 },    /* whole tiles, tails of one vector */
        { 1, 13, 6, 16, 48 },
        { 1, 7, 7, 300, 40 },   /* K past one GEMM block (KC 256) */
        { 1, 6, 10, 20, 200 },  /* output channels past one GEMM pass */
        { 2, 14, 14, 64, 64 },  /* resnet-like, channels split at 2 threads (few tiles) or tiles */
        { 1, 28, 28, 128, 96 }, /* several tile blocks per thread */
        { 5, 7, 7, 512, 40 },   /* resnet18's 7 x 7 stage at a batch: K of two GEMM blocks */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (int m = 2; m <= 4; m += 2)
            for (int v = 0; v < 4; v++) check_shape(m, shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3], shapes[i][4], v);
}

/* Every thread has work where there are few tiles: resnet18's convs at batch 1 on 16 threads
   (before the grid, 56 x 56 x 64 kept 2 of 16 busy on AVX-512, one channel group each), and
   2 threads split the tiles where there are enough. */
static void test_winograd_grid(void) {
    static const int convs[][4] = { { 56, 4, 64, 0 }, { 28, 4, 128, 0 }, { 14, 2, 256, 0 }, { 7, 4, 512, 4 } }; /* map, m, cout, images */
    for (int i = 0; i < 4; i++) {
        int hw = convs[i][0], m = convs[i][1], n = convs[i][3] ? convs[i][3] : 1;
        int64_t tiles = (int64_t)n * ((hw + m - 1) / m) * ((hw + m - 1) / m);
        int gc, gt;
        hant__wino_grid(16, tiles, convs[i][2], &gc, &gt);
        HT_CHECK(gc * gt == 16 && gc >= 1 && gt >= 1, "%dx%d x %d, %lld tiles, 16 threads: a %d x %d grid leaves threads idle", hw, hw, convs[i][2],
                 (long long)tiles, gc, gt);
    }
    int gc, gt;
    hant__wino_grid(2, 196, 64, &gc, &gt);
    HT_CHECK(gc == 1 && gt == 2, "56 x 56 on 2 threads: want the tiles split, got %d x %d", gc, gt);
    hant__wino_grid(2, 16, 64, &gc, &gt);
    HT_CHECK(gc * gt == 2, "16 tiles on 2 threads: %d x %d", gc, gt);
    hant__wino_grid(16, 3, 1, &gc, &gt);
    HT_CHECK(gc == 1 && gt == 3, "3 tiles, one channel group, 16 threads: want 1 x 3, got %d x %d", gc, gt);
}

/* The network path: a unit with Winograd weights gives what the implicit GEMM gives. */
static void test_winograd_dispatch(void) {
    hant_conv_shape s = { 1, 20, 18, 40, 36, 3, 1, 1 };
    HT_CHECK(hant__wino_pays(&s) == 2, "a 20x18 40->36 3x3 conv should take F(2x2)");
    hant_conv_shape s4 = s; s4.h = s4.w = 56;
    HT_CHECK(hant__wino_pays(&s4) == 4, "a 56x56 conv should take F(4x4)");
    hant_conv_shape s2 = s; s2.stride = 2;
    HT_CHECK(!hant__wino_pays(&s2), "stride 2 must not take Winograd");
    s2 = s; s2.kernel = 5;
    HT_CHECK(!hant__wino_pays(&s2), "5x5 must not take Winograd");
    hant_conv_shape s7 = { 1, 7, 7, 512, 512, 3, 1, 1 };
    HT_CHECK(hant__wino_pays(&s7) == 4, "a 7x7 512->512 conv should get F(4x4) weights");
    HT_CHECK(!hant__wino_batch(ctx1, &s7, 4), "7x7 at batch 1 (4 tiles) must keep the implicit GEMM");
    s7.n = 4;
    HT_CHECK(hant__wino_batch(ctx1, &s7, 4) && !hant__wino_batch(ctx2, &s7, 4), "7x7, 4 images: Winograd on 1 thread, not split over 2");
    s7.h = s7.w = 6;
    HT_CHECK(!hant__wino_pays(&s7), "a 6x6 map must not take Winograd");
    s7.h = s7.w = 14;
    HT_CHECK(!hant__wino_pays(&s7) && hant__wino_batch(ctx1, &s7, 2), "14x14 with 512 inputs: no Winograd weights (the batch rule passes)");
    size_t nx = (size_t)s.h * s.w * s.cin, ny = (size_t)s.h * s.w * s.cout, nw = (size_t)9 * s.cin * s.cout;
    float *x = malloc(nx * 4), *wt = malloc(nw * 4), *y = malloc(ny * 4), *r = malloc(ny * 4), *tmp = malloc((size_t)s.cin * s.cout * 4);
    float *uw = malloc(hant__wino_floats(4, s.cin, s.cout) * 4), *pw = malloc(hant__gemm_packed_b_floats(s.cout, 9 * s.cin) * 4);
    ht_seed(5);
    ht_fill(x, nx, -1, 1); ht_fill(wt, nw, -0.5f, 0.5f);
    hant__wino_pack(4, wt, s.cin, s.cout, tmp, uw);
    hant__gemm_pack_b_full(0, s.cout, 9 * s.cin, wt, s.cout, pw);
    hant__conv_forward_packed(ctx2, &s, x, wt, pw, NULL, HANT_ACT_RELU, NULL, r);
    hant__conv_forward_net(ctx2, &s, x, wt, pw, 4, uw, NULL, HANT_ACT_RELU, NULL, y);
    size_t at;
    double e = ht_max_err_ratio(y, r, ny, WINO_TOL * rms(r, ny), 1e-5, &at);
    HT_CHECK(e <= 1, "net path: err ratio %g at %zu", e, at);
    free(x); free(wt); free(y); free(r); free(tmp); free(uw); free(pw);
}

/* Lazy Winograd weights (hant__net_wino): a ResNet whose 3x3 convs run on
   7 x 7 maps gets F(4x4) weights that only batches take (hant__wino_batch).
   Batch 1 packs none; a batch of 16 images per thread packs each conv's
   once, with the two worker threads reaching each conv together; the packed
   weights are those an eager hant__wino_pack of the folded weights gives
   (so the outputs are the eager version's), and the outputs agree with batch
   1's implicit GEMM within the Winograd rounding. A refold (new parameters)
   packs again. Fresh networks repeat it, for the race at the first pack. */
typedef struct { hant_net *net; const float *w[2][8]; } lazy_race;
static void lazy_race_task(void *arg, int tid, int nt) {
    lazy_race *r = (lazy_race *)arg;
    (void)nt;
    for (int i = 0, k = 0; i < r->net->nunits && k < 8; i++)
        if (r->net->units[i].wino_m) r->w[tid & 1][k++] = hant__net_wino(r->net, &r->net->units[i]);
}
static void test_winograd_lazy(void) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = a.in_w = 14; a.in_c = 3; a.num_classes = 10; a.bn_eps = 1e-5f;
    a.stem_cout = 32; a.stem_kernel = 3; a.stem_stride = 2; a.stem_act = HANT_ACT_RELU;
    static const int blk[][2] = { { 32, 32 }, { 32, 48 } };
    for (int i = 0; i < 2; i++) {
        hant_block_spec *b = &a.blocks[a.num_blocks++];
        b->kind = HANT_BLOCK_RESNET_BASIC; b->cin = blk[i][0]; b->cout = blk[i][1]; b->kernel = 3; b->stride = 1;
        b->act = HANT_ACT_RELU; b->expansion = 1;
    }
    hant_context *ctx = ctx2;
    int n = 16 * ctx->nthreads;
    for (int rep = 0; rep < 8; rep++) {
        hant_net *p;
        if (hant_net_create(ctx, &a, 3 + (uint64_t)rep, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
        size_t np, ni = (size_t)a.in_h * a.in_w * a.in_c, no = hant_net_output_size(p);
        float *P = hant_net_param_data(p, &np);
        ht_seed(40 + (unsigned long long)rep);
        for (size_t i = 0; i < np; i++) P[i] = ht_uniform(-0.1f, 0.1f);
        float *x = malloc(ni * n * 4), *y0 = malloc(no * n * 4), *y1 = malloc(no * n * 4), *y2 = malloc(no * n * 4);
        ht_fill(x, ni * n, -1, 1);
        for (int i = 0; i < n; i++) HT_CHECK(hant_net_forward(p, x + ni * i, 1, y1 + no * i) == HANT_OK, "%s", hant_last_error());
        int nw = 0;
        for (int i = 0; i < p->nunits; i++) nw += p->units[i].wino_m == 4 && p->units[i].s.h == 7;
        HT_CHECK(nw == 4, "%d of the 7 x 7 convs have F(4x4) weights, want 4", nw);
        HT_CHECK(atomic_load(&p->wino_packs) == 0, "batch 1 packed %d Winograd weight sets", atomic_load(&p->wino_packs));
        HT_CHECK(hant_net_forward(p, x, n, y0) == HANT_OK, "%s", hant_last_error());
        HT_CHECK(atomic_load(&p->wino_packs) == nw, "batch %d: %d packs, want %d (one per conv)", n, atomic_load(&p->wino_packs), nw);
        HT_CHECK(hant_net_forward(p, x, n, y2) == HANT_OK && !memcmp(y0, y2, no * n * 4) && atomic_load(&p->wino_packs) == nw,
                 "a second batch: %d packs, outputs %s", atomic_load(&p->wino_packs), memcmp(y0, y2, no * n * 4) ? "differ" : "equal");
        for (int i = 0; i < p->nunits && rep == 0; i++) { /* the eager packing's weights, bit for bit */
            hant__unit *u = &p->units[i];
            if (!u->wino_m) continue;
            size_t nf = hant__wino_floats(u->wino_m, u->s.cin, u->s.cout);
            float *uw = malloc(nf * 4), *tmp = malloc((size_t)u->s.cin * u->s.cout * 4);
            hant__wino_pack(u->wino_m, u->fw, u->s.cin, u->s.cout, tmp, uw);
            HT_CHECK(u->wino && !memcmp(uw, u->wino, nf * 4), "unit %d: lazy Winograd weights differ from the eager packing", i);
            free(uw); free(tmp);
        }
        double r2 = 0;
        for (size_t i = 0; i < no * n; i++) r2 += (double)y1[i] * y1[i];
        r2 = sqrt(r2 / (double)(no * n));
        size_t at;
        double e = ht_max_err_ratio(y0, y1, no * n, WINO_TOL * r2, 1e-5, &at);
        HT_CHECK(e <= 1 && r2 > 0, "batch %d against batch 1: error ratio %g at %zu (%.9g vs %.9g), rms %g", n, e, at, y0[at], y1[at], r2);
        if (rep == 0) { /* new parameters: a refold, packed again by the next batch, and the outputs follow them */
            P = hant_net_param_data(p, &np);
            for (size_t i = 0; i < np; i++) P[i] *= 0.5f;
            HT_CHECK(hant_net_forward(p, x, n, y2) == HANT_OK && atomic_load(&p->wino_packs) == 2 * nw, "after a refold: %d packs, want %d",
                     atomic_load(&p->wino_packs), 2 * nw);
            HT_CHECK(memcmp(y0, y2, no * n * 4) != 0, "the refolded network gave the old outputs");
        }
        hant_net_destroy(p);
        /* both threads of the pool ask for every conv's weights at once: each packed once, both see the same */
        if (hant_net_create(ctx, &a, 3, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); break; }
        HT_CHECK(hant_net_forward(p, x, 1, y2) == HANT_OK && atomic_load(&p->wino_packs) == 0, "batch 1 packed");
        lazy_race r;
        memset(&r, 0, sizeof r);
        r.net = p;
        hant__run(ctx, lazy_race_task, &r);
        HT_CHECK(atomic_load(&p->wino_packs) == nw, "racing threads: %d packs, want %d", atomic_load(&p->wino_packs), nw);
        for (int k = 0; k < nw; k++) HT_CHECK(r.w[0][k] && r.w[0][k] == r.w[1][k], "racing threads: conv %d weights %p and %p", k, (const void *)r.w[0][k], (const void *)r.w[1][k]);
        hant_net_destroy(p);
        free(x); free(y0); free(y1); free(y2);
    }
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config c1 = { 1, 0, { 0 }, 0 }, c2 = { 2, 0, { 0 }, 0 }, c16 = { 16, 0, { 0 }, 0 };
    if (hant_context_create(&c1, &ctx1) || hant_context_create(&c2, &ctx2) || hant_context_create(&c16, &ctx16)) { printf("context: %s\n0 passed, 1 failed\n", hant_last_error()); return 1; }
    HT_RUN(test_winograd_shapes);
    HT_RUN(test_winograd_grid);
    HT_RUN(test_winograd_dispatch);
    HT_RUN(test_winograd_lazy);
    hant_context_destroy(ctx1);
    hant_context_destroy(ctx2);
    hant_context_destroy(ctx16);
    return HT_SUMMARY();
}
