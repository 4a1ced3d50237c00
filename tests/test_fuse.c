/* Tiled (fused expand-dw-project) MBConv inference against the op by op path,
 * the tile=1 signatures and the "+tiled" pool modifier.
 *
 * Tolerance: without squeeze-excite every output element goes through the
 * same kernels in both paths, so they must agree bit for bit. With SE the
 * tiled pool sums band by band, so the gate differs by rounding only: the
 * outputs must agree to 1e-5 absolute + 1e-5 relative. Each shape runs with
 * the default tile budget and with a 2 KiB one that forces one or two output
 * rows per band (many bands, the shared expanded rows carried between them).
 */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "hant_test.h"

static hant_context *ctx1, *ctx2;

static void randomise(hant_net *net) {
    size_t np;
    float *P = hant_net_param_data(net, &np);
    for (size_t i = 0; i < np; i++) P[i] = ht_uniform(-0.5f, 0.5f);
    ht_randomise_bn(net);
}

/* The same arch with every MBConv block tiled, and the same weights. */
static hant_net *tiled_twin(hant_context *ctx, hant_net *plain) {
    hant_arch a = *hant_net_arch(plain);
    for (int i = 0; i < a.num_blocks; i++) if (a.blocks[i].kind == HANT_BLOCK_MBCONV) a.blocks[i].tiled = 1;
    hant_net *t;
    if (hant_net_create(ctx, &a, 1, &t) != HANT_OK) return NULL;
    size_t np, nb, tp, tb;
    float *src = hant_net_param_data(plain, &np), *sb = hant_net_buffer_data(plain, &nb);
    float *dst = hant_net_param_data(t, &tp), *db = hant_net_buffer_data(t, &tb);
    if (np != tp || nb != tb) { hant_net_destroy(t); return NULL; }
    memcpy(dst, src, np * sizeof(float));
    memcpy(db, sb, nb * sizeof(float));
    return t;
}

/* Forward of both nets on the same n images; exact or within tolerance. */
static void compare(hant_net *plain, hant_net *tiled, int n, int exact, const char *what) {
    const hant_arch *a = hant_net_arch(plain);
    size_t nx = (size_t)n * a->in_h * a->in_w * a->in_c, no = (size_t)n * hant_net_output_size(plain);
    float *x = malloc(nx * 4), *y0 = malloc(no * 4), *y1 = malloc(no * 4);
    ht_fill(x, nx, -1, 1);
    HT_CHECK(hant_net_forward(plain, x, n, y0) == HANT_OK, "%s: %s", what, hant_last_error());
    HT_CHECK(hant_net_forward(tiled, x, n, y1) == HANT_OK, "%s: %s", what, hant_last_error());
    if (exact) {
        size_t at = 0;
        while (at < no && y0[at] == y1[at]) at++;
        HT_CHECK(at == no, "%s: not bit-identical at %zu of %zu (%.9g vs %.9g)", what, at, no, at < no ? y1[at] : 0.0, at < no ? y0[at] : 0.0);
    } else {
        size_t at;
        double e = ht_max_err_ratio(y1, y0, no, 1e-5, 1e-5, &at);
        HT_CHECK(e <= 1, "%s: error ratio %g at %zu (%.9g vs %.9g)", what, e, at, y1[at], y0[at]);
    }
    double energy = 0;
    for (size_t i = 0; i < no; i++) energy += fabs(y0[i]);
    HT_CHECK(energy > 0, "%s: all-zero output proves nothing", what);
    free(x); free(y0); free(y1);
}

/* One MBConv block as a headless network. */
static hant_arch one_block(int h, int w, int cin, int cout, int e, int k, int s, float se, hant_act act) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = h; a.in_w = w; a.in_c = cin; a.bn_eps = 1e-3f; a.num_blocks = 1;
    hant_block_spec b = { HANT_BLOCK_MBCONV, cin, cout, e, k, s, se, act, 1, 0, 0, 0, 0, 0, 0 };
    a.blocks[0] = b;
    return a;
}

static void test_tiled_block_equals_untiled(void) {
    static const int sizes[][2] = { { 13, 11 }, { 7, 9 }, { 1, 1 }, { 2, 5 }, { 16, 16 } };
    static const size_t budgets[] = { (size_t)256 << 10, 2048 };
    int cases = 0;
    for (int bi = 0; bi < 2; bi++)
        for (int si = 0; si < 5; si++)
            for (int k = 3; k <= 7; k += 2)
                for (int s = 1; s <= 2; s++)
                    for (int se = 0; se < 2; se++)
                        for (int e = 1; e <= 6; e += 5)
                            for (int res = 0; res < 2; res++) {
                                if (res && s != 1) continue;
                                int cin = 8 + 3 * (k & 2), cout = res ? cin : cin + 5;
                                hant__fuse_tile_bytes = budgets[bi];
                                hant_arch a = one_block(sizes[si][0], sizes[si][1], cin, cout, e, k, s, se ? 0.25f : 0.0f,
                                                        se ? HANT_ACT_SILU : HANT_ACT_RELU6);
                                for (int t = 0; t < 2; t++) {
                                    hant_context *ctx = t ? ctx2 : ctx1;
                                    hant_net *p, *q;
                                    if (hant_net_create(ctx, &a, 3, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
                                    ht_seed((unsigned long long)(cases + 1));
                                    randomise(p);
                                    q = tiled_twin(ctx, p);
                                    HT_CHECK(q != NULL, "tiled twin: %s", hant_last_error());
                                    if (!q) { hant_net_destroy(p); return; }
                                    /* p: op by op, or a batch-only fuse (autof 2) that these small images never reach */
                                    HT_CHECK(q->nfuses == 1 && (p->nfuses == 0 || (p->nfuses == 1 && p->fuses[0].autof == 2)), "fuses %d/%d", q->nfuses, p->nfuses);
                                    const int ns[] = { 1, 3, 5 };
                                    /* threads split by output rows (hant__fuse_rowsplit) and by whole bands */
                                    for (int ni = 0; ni < 6; ni++) {
                                        char what[160];
                                        hant__fuse_rowsplit = ni < 3;
                                        snprintf(what, sizeof what, "%dx%d cin %d cout %d e%d k%d s%d se%d threads %d batch %d budget %zu rowsplit %d",
                                                 sizes[si][0], sizes[si][1], cin, cout, e, k, s, se, t + 1, ns[ni % 3], budgets[bi], ni < 3);
                                        compare(p, q, ns[ni % 3], !se, what);
                                    }
                                    hant__fuse_rowsplit = 1;
                                    hant_net_destroy(p); hant_net_destroy(q);
                                    cases++;
                                }
                            }
    hant__fuse_tile_bytes = (size_t)256 << 10;
    HT_CHECK(cases > 200, "only %d cases", cases);
}

/* Whole b0-fm with every block tiled: the batch-1 path (kernels split each
   op), the large-batch path (one micro-batch per thread) and the
   many-band budget. */
static void test_tiled_network(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    static const size_t budgets[] = { (size_t)256 << 10, 4096 };
    for (int bi = 0; bi < 2; bi++)
        for (int t = 0; t < 2; t++) {
            hant__fuse_tile_bytes = budgets[bi];
            hant_net *p, *q;
            HT_CHECK(hant_net_create(t ? ctx2 : ctx1, &a, 9, &p) == HANT_OK, "%s", hant_last_error());
            ht_seed(40 + t);
            randomise(p);
            /* small weights: keeps 16 SE blocks of random weights from saturating */
            size_t np;
            float *P = hant_net_param_data(p, &np);
            for (size_t i = 0; i < np; i++) P[i] *= 0.3f;
            q = tiled_twin(t ? ctx2 : ctx1, p);
            HT_CHECK(q && q->nfuses == a.num_blocks, "tiled b0-fm");
            if (!q) { hant_net_destroy(p); return; }
            char what[96];
            snprintf(what, sizeof what, "b0-fm threads %d batch 1 budget %zu", t + 1, budgets[bi]);
            compare(p, q, 1, 0, what);
            snprintf(what, sizeof what, "b0-fm threads %d batch 9 budget %zu", t + 1, budgets[bi]);
            compare(p, q, 9, 0, what);
            hant_net_destroy(p); hant_net_destroy(q);
        }
    hant__fuse_tile_bytes = (size_t)256 << 10;
}

/* The hidden tensors of a tiled block get no buffer at inference (only the
   depthwise output, when SE needs it whole); training keeps them all and
   gives the same results as the untiled block. */
static void test_tiled_buffers_and_training(void) {
    for (int se = 0; se < 2; se++) {
        hant_arch a = one_block(12, 12, 8, 8, 4, 5, 1, se ? 0.25f : 0.0f, HANT_ACT_SILU);
        hant_net *p, *q;
        HT_CHECK(hant_net_create(ctx2, &a, 5, &p) == HANT_OK, "%s", hant_last_error());
        ht_seed(7);
        randomise(p);
        q = tiled_twin(ctx2, p);
        if (!q) { HT_CHECK(0, "twin"); hant_net_destroy(p); return; }
        compare(p, q, 2, !se, se ? "buffers se" : "buffers");
        const hant__fuse *f = &q->fuses[0];
        const hant__exec *e = &q->infer_exec[0];
        for (int i = f->op0; i <= f->op1; i++) {
            int s = q->ops[i].out;
            int want = s == f->out || (se && s == f->dslot);
            HT_CHECK((e->slot[s] != NULL) == want, "se %d: slot %d of op %d %s a buffer", se, s, i, want ? "lacks" : "has");
        }
        /* training is the plain path: same outputs and gradients */
        float x[2 * 12 * 12 * 8], y0[2 * 12 * 12 * 8], y1[2 * 12 * 12 * 8];
        ht_fill(x, sizeof x / 4, -1, 1);
        HT_CHECK(hant_net_train_forward(p, x, 2, y0) == HANT_OK && hant_net_train_forward(q, x, 2, y1) == HANT_OK, "train forward");
        HT_CHECK(!memcmp(y0, y1, sizeof y0), "se %d: train forward differs", se);
        hant_net_zero_grad(p); hant_net_zero_grad(q);
        HT_CHECK(hant_net_train_backward(p, y0) == HANT_OK && hant_net_train_backward(q, y0) == HANT_OK, "train backward");
        size_t n0, n1;
        float *g0 = hant_net_grad_data(p, &n0), *g1 = hant_net_grad_data(q, &n1);
        HT_CHECK(n0 == n1 && !memcmp(g0, g1, n0 * sizeof(float)), "se %d: gradients differ", se);
        /* and inference after training (weights refolded) still agrees */
        compare(p, q, 1, !se, "after training");
        hant_net_destroy(p); hant_net_destroy(q);
    }
}

static void test_signature(void) {
    hant_block_spec b = { HANT_BLOCK_MBCONV, 24, 40, 3, 5, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 }, r;
    char s0[256], s1[256];
    int h, w;
    HT_CHECK(hant_block_signature(&b, 14, 14, s0, sizeof s0) == HANT_OK, "sig");
    HT_CHECK(!strstr(s0, "tile"), "untiled signature mentions tiles: %s", s0);
    HT_CHECK(!strcmp(s0, "mbconv cin=24 cout=40 e=3 k=5 s=2 se=0.25 act=silu g=1 hw=14x14"), "untiled signature changed: %s", s0);
    b.tiled = 1;
    HT_CHECK(hant_block_signature(&b, 14, 14, s1, sizeof s1) == HANT_OK, "sig");
    size_t l0 = strlen(s0);
    HT_CHECK(!strncmp(s0, s1, l0) && !strcmp(s1 + l0, " tile=1"), "tiled signature: %s", s1);
    HT_CHECK(hant_block_parse(s1, &r, &h, &w) == HANT_OK && r.tiled == 1 && r.expansion == 3 && h == 14, "parse: %s", hant_last_error());
    HT_CHECK(hant_block_parse(s0, &r, &h, &w) == HANT_OK && r.tiled == 0, "parse untiled");
    char bad[300];
    snprintf(bad, sizeof bad, "%s tile=2", s0);
    HT_CHECK(hant_block_parse(bad, &r, &h, &w) == HANT_ERR_FORMAT, "tile=2 accepted");
    snprintf(bad, sizeof bad, "%s x", s1);
    HT_CHECK(hant_block_parse(bad, &r, &h, &w) == HANT_ERR_FORMAT, "trailing text accepted");
    HT_CHECK(hant_block_signature(&b, 14, 14, s1, l0 + 3) == HANT_ERR_INVALID_ARG, "short buffer accepted");
    /* tiled applies to MBConv only */
    hant_block_spec c = { HANT_BLOCK_CONV, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU, 1, 0, 1, 0, 0, 0, 0 };
    HT_CHECK(hant_block_validate(&c, 8, 8) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "tiled"), "tiled conv accepted");
    b.tiled = 2;
    HT_CHECK(hant_block_validate(&b, 8, 8) == HANT_ERR_INVALID_ARG, "tiled = 2 accepted");
    /* an arch's hash changes only where a block is tiled */
    hant_arch a, t;
    hant_arch_builtin("b0-fm", &a);
    t = a;
    HT_CHECK(hant_arch_hash(&a) == hant_arch_hash(&t), "hash");
    t.blocks[3].tiled = 1;
    HT_CHECK(hant_arch_hash(&a) != hant_arch_hash(&t), "tiled arch has the untiled hash");
}

static void test_pool_tiled(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    int h, w;
    hant_arch_block_input(&a, 5, &h, &w, NULL);
    hant_block_spec *p0 = malloc(sizeof(hant_block_spec) * HANT_POOL_MAX), *p1 = malloc(sizeof(hant_block_spec) * HANT_POOL_MAX);
    int n0, n1;
    HT_CHECK(hant_pool_generate(&a.blocks[5], h, w, "quick", p0, HANT_POOL_MAX, &n0) == HANT_OK, "quick");
    HT_CHECK(hant_pool_generate(&a.blocks[5], h, w, "quick+tiled", p1, HANT_POOL_MAX, &n1) == HANT_OK, "quick+tiled: %s", hant_last_error());
    int mb = 0;
    for (int i = 0; i < n0; i++) mb += p0[i].kind == HANT_BLOCK_MBCONV;
    HT_CHECK(mb > 1 && n1 == n0 + mb, "quick %d (%d MBConv), quick+tiled %d", n0, mb, n1);
    /* the first n0 are the untiled pool; each further one is the twin of one of them */
    HT_CHECK(!memcmp(p0, p1, sizeof *p0 * (size_t)n0), "untiled part differs");
    for (int i = n0; i < n1; i++) {
        char s[256], u[256];
        hant_block_spec b = p1[i];
        HT_CHECK(b.tiled == 1 && b.kind == HANT_BLOCK_MBCONV, "candidate %d not a tiled MBConv", i);
        b.tiled = 0;
        hant_block_signature(&b, h, w, u, sizeof u);
        int found = 0;
        for (int j = 0; j < n0; j++) { hant_block_signature(&p0[j], h, w, s, sizeof s); found += !strcmp(s, u); }
        HT_CHECK(found == 1, "twin %d: %s has %d untiled matches", i, u, found);
    }
    HT_CHECK(hant_pool_generate(&a.blocks[5], h, w, "conv:k=1:act=relu+tiled", p1, HANT_POOL_MAX, &n1) == HANT_OK && n1 == 3, "conv+tiled: %d (teacher, conv, the teacher's twin)", n1);
    HT_CHECK(hant_pool_generate(&a.blocks[5], h, w, "quick+tile", p1, HANT_POOL_MAX, &n1) == HANT_ERR_INVALID_ARG, "bad modifier accepted");
    free(p0); free(p1);
}

/* An untiled block whose expanded tensor is large (56 x 56 x 144: 1.8 MiB
   per image) runs tiled: with SE from batch 2 on, without SE at any batch
   (hant__fuse_on); each image of the batch must equal that image alone (bit
   for bit without SE, to rounding with it), with every slot still buffered;
   without SE the tiled batch must equal the op by op one bit for bit. */
static void test_auto_fuse(void) {
    static const size_t budgets[] = { (size_t)256 << 10, 16384 };
    for (int bi = 0; bi < 2; bi++)
        for (int se = 0; se < 2; se++)
            for (int s = 1; s <= 2; s++)
                for (int t = 0; t < 2; t++) {
                    hant__fuse_tile_bytes = budgets[bi];
                    int res = s == 1;
                    hant_arch a = one_block(56, 56, 24, res ? 24 : 32, 6, 3, s, se ? 0.25f : 0.0f, se ? HANT_ACT_SILU : HANT_ACT_RELU6);
                    hant_net *p;
                    if (hant_net_create(t ? ctx2 : ctx1, &a, 3, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
                    ht_seed(90 + se);
                    randomise(p);
                    HT_CHECK(p->nfuses == 1 && p->fuses[0].autof, "auto fuse: %d fuses", p->nfuses);
                    if (p->nfuses != 1) { hant_net_destroy(p); return; }
                    const hant__op *o = &p->ops[p->fuses[0].op0];
                    HT_CHECK((hant__fuse_on(p, o, 1) == NULL) == se && hant__fuse_on(p, o, 2) && !hant__fuse_on(p, o + 1, 2), "fuse_on by batch");
                    const int n = 3;
                    size_t ni = (size_t)56 * 56 * 24, no = hant_net_output_size(p);
                    float *x = malloc(ni * n * 4), *y = malloc(no * n * 4), *y1 = malloc(no * 4);
                    ht_fill(x, ni * n, -1, 1);
                    HT_CHECK(hant_net_forward(p, x, n, y) == HANT_OK, "%s", hant_last_error());
                    for (int i = 0; i < p->nslots; i++) HT_CHECK(p->infer_exec[0].slot[i] || i == 0, "slot %d has no buffer", i);
                    if (!se) { /* the same batch op by op (the block's ops unmarked) */
                        float *yr = malloc(no * n * 4);
                        for (int k = p->fuses[0].op0; k <= p->fuses[0].op1; k++) p->ops[k].fused = 0;
                        HT_CHECK(hant_net_forward(p, x, n, yr) == HANT_OK, "%s", hant_last_error());
                        for (int k = p->fuses[0].op0; k <= p->fuses[0].op1; k++) p->ops[k].fused = 1;
                        HT_CHECK(!memcmp(y, yr, no * n * 4), "auto fuse s %d threads %d budget %zu: tiled differs from op by op", s, t + 1, budgets[bi]);
                        free(yr);
                    }
                    for (int i = 0; i < n; i++) {
                        HT_CHECK(hant_net_forward(p, x + ni * i, 1, y1) == HANT_OK, "%s", hant_last_error());
                        char what[96];
                        snprintf(what, sizeof what, "auto fuse se %d s %d threads %d budget %zu image %d", se, s, t + 1, budgets[bi], i);
                        size_t at = 0;
                        double e = 0;
                        if (se) e = ht_max_err_ratio(y + no * i, y1, no, 1e-5, 1e-5, &at);
                        else while (at < no && y[no * i + at] == y1[at]) at++;
                        HT_CHECK(se ? e <= 1 : at == no, "%s: differs at %zu (%.9g vs %.9g, ratio %g)", what, at, y[no * i + at % no], y1[at % no], e);
                    }
                    free(x); free(y); free(y1);
                    hant_net_destroy(p);
                }
    hant__fuse_tile_bytes = (size_t)256 << 10;
    /* below the size with SE, no fuse; without SE a batch-only one (autof 2); int8 and tiled blocks keep their own paths */
    hant_arch a = one_block(28, 28, 24, 24, 6, 3, 1, 0.25f, HANT_ACT_SILU);
    hant_net *p;
    HT_CHECK(hant_net_create(ctx1, &a, 1, &p) == HANT_OK && p->nfuses == 0, "28 x 28 block with SE fused");
    hant_net_destroy(p);
    a = one_block(28, 28, 24, 24, 6, 3, 1, 0.0f, HANT_ACT_RELU6);
    HT_CHECK(hant_net_create(ctx1, &a, 1, &p) == HANT_OK && p->nfuses == 1 && p->fuses[0].autof == 2, "28 x 28 block: not a batch fuse");
    if (p->nfuses) HT_CHECK(!hant__fuse_on(p, &p->ops[p->fuses[0].op0], 1), "28 x 28 x 144 tiled at batch 1");
    hant_net_destroy(p);
    /* without SE from 0.5 MiB per image at stride 1 (28 x 28 x 192), twice that at stride 2 (else autof 2) */
    for (int s = 1; s <= 2; s++) {
        a = one_block(28, 28, 32, 32, 6, 3, s, 0.0f, HANT_ACT_RELU6);
        HT_CHECK(hant_net_create(ctx1, &a, 1, &p) == HANT_OK && p->nfuses == 1 && p->fuses[0].autof == (s == 1 ? 1 : 2), "28 x 28 x 192 stride %d: %d fuses", s, p->nfuses);
        if (p->nfuses) HT_CHECK((hant__fuse_on(p, &p->ops[p->fuses[0].op0], 1) != NULL) == (s == 1), "28 x 28 x 192 stride %d at batch 1", s);
        hant_net_destroy(p);
    }
    /* the two 1x1 weights larger than the expanded tensor per image (7 x 7 x 960): no fuse */
    a = one_block(7, 7, 160, 160, 6, 3, 1, 0.0f, HANT_ACT_RELU6);
    HT_CHECK(hant_net_create(ctx1, &a, 1, &p) == HANT_OK && p->nfuses == 0, "7 x 7 x 960 block fused");
    hant_net_destroy(p);
    /* without expansion (mobilenet_v2's first block, 112 x 112 x 32): tiled without SE, bit for bit the
       op by op result at batches 1 and 3, threads 1 and 2; with SE it stays op by op */
    for (int se = 0; se < 2; se++) {
        a = one_block(112, 112, 32, 16, 1, 3, 1, se ? 0.25f : 0.0f, se ? HANT_ACT_SILU : HANT_ACT_RELU6);
        HT_CHECK(hant_net_create(ctx1, &a, 1, &p) == HANT_OK && p->nfuses == !se, "no expansion, se %d: %d fuses", se, p->nfuses);
        hant_net_destroy(p);
    }
    a = one_block(112, 112, 32, 16, 1, 3, 1, 0.0f, HANT_ACT_RELU6);
    for (int t = 0; t < 2; t++) {
        if (hant_net_create(t ? ctx2 : ctx1, &a, 3, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
        ht_seed(97);
        randomise(p);
        HT_CHECK(p->nfuses == 1 && p->fuses[0].ex < 0 && hant__fuse_on(p, &p->ops[p->fuses[0].op0], 1), "no expansion: not tiled");
        size_t ni = (size_t)112 * 112 * 32, no = hant_net_output_size(p);
        float *x = malloc(ni * 3 * 4), *y = malloc(no * 3 * 4), *yr = malloc(no * 3 * 4);
        ht_fill(x, ni * 3, -1, 1);
        for (int n = 1; n <= 3; n += 2) {
            HT_CHECK(hant_net_forward(p, x, n, y) == HANT_OK, "%s", hant_last_error());
            for (int k = p->fuses[0].op0; k <= p->fuses[0].op1; k++) p->ops[k].fused = 0;
            HT_CHECK(hant_net_forward(p, x, n, yr) == HANT_OK, "%s", hant_last_error());
            for (int k = p->fuses[0].op0; k <= p->fuses[0].op1; k++) p->ops[k].fused = 1;
            HT_CHECK(!memcmp(y, yr, no * n * 4), "no expansion, threads %d batch %d: tiled differs from op by op", t + 1, n);
        }
        free(x); free(y); free(yr);
        hant_net_destroy(p);
    }
}

/* A small block without SE (14 x 14 x 64 -> 384 -> 64 or 96, stride 1 and 2:
   autof 2) runs tiled only where one thread runs it on images whose expanded
   tensor passes HANT__FUSE_BATCH_PLAIN (the large-batch path, 8 images per
   thread here): bit for bit the op by op result (hant__fuse_batch_on 0), with
   the default budget and one that forces bands of a row, 1 and 2 threads. */
static void test_batch_fuse(void) {
    static const size_t budgets[] = { (size_t)256 << 10, 16384 };
    const int batch_on = hant__fuse_batch_on; /* off by default in AVX2 builds: tested on every build */
    hant__fuse_batch_on = 1;
    for (int bi = 0; bi < 2; bi++)
        for (int s = 1; s <= 2; s++)
            for (int t = 0; t < 2; t++) {
                hant__fuse_tile_bytes = budgets[bi];
                hant_context *ctx = t ? ctx2 : ctx1;
                hant_arch a = one_block(14, 14, 64, s == 1 ? 64 : 96, 6, 3, s, 0.0f, HANT_ACT_RELU6);
                hant_net *p;
                if (hant_net_create(ctx, &a, 3, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
                ht_seed(70 + s);
                randomise(p);
                HT_CHECK(p->nfuses == 1 && p->fuses[0].autof == 2, "14 x 14 x 384: %d fuses", p->nfuses);
                if (p->nfuses != 1) { hant_net_destroy(p); return; }
                const hant__op *o = &p->ops[p->fuses[0].op0];
                /* outside a task: tiled at 8 images only with one thread, never at 1 */
                HT_CHECK(!hant__fuse_on(p, o, 1) && (hant__fuse_on(p, o, 8) != NULL) == (ctx->nthreads == 1), "fuse_on by batch and threads");
                const int n = 8 * ctx->nthreads;
                size_t ni = (size_t)14 * 14 * 64, no = hant_net_output_size(p);
                float *x = malloc(ni * n * 4), *y = malloc(no * n * 4), *yr = malloc(no * n * 4);
                ht_fill(x, ni * n, -1, 1);
                HT_CHECK(hant_net_forward(p, x, n, y) == HANT_OK, "%s", hant_last_error());
                hant__fuse_batch_on = 0;
                HT_CHECK(hant_net_forward(p, x, n, yr) == HANT_OK, "%s", hant_last_error());
                hant__fuse_batch_on = 1;
                size_t at = 0;
                while (at < no * n && y[at] == yr[at]) at++;
                HT_CHECK(at == no * n, "batch fuse s %d threads %d budget %zu: differs at %zu (%.9g vs %.9g)", s, t + 1, budgets[bi], at,
                         y[at % (no * n)], yr[at % (no * n)]);
                free(x); free(y); free(yr);
                hant_net_destroy(p);
            }
    hant__fuse_tile_bytes = (size_t)256 << 10;
    hant__fuse_batch_on = batch_on;
}

/* A small block without SE (autof 2) at batch 1 on two threads runs tiled,
   the threads splitting its output rows, where threads x (cin + cout) is at
   most hant__fuse_small_mt / 10 of its input's pixels (mobilenet_v2's 28 ->
   14 block and like shapes; odd sizes, stride 1 and 2, the default budget and
   one of bands of a row or two): bit for bit the op by op result
   (hant__fuse_small_mt 0); never on one thread or at batch 2. */
static void test_small_mt(void) {
    static const size_t budgets[] = { (size_t)256 << 10, 2048 };
    static const int shapes[][5] = { /* h, cin, cout, stride, kernel */
        { 28, 32, 64, 2, 3 }, { 20, 32, 32, 1, 3 }, { 15, 16, 24, 2, 5 }, { 17, 24, 24, 1, 3 } };
    const int small_mt = hant__fuse_small_mt;
    hant__fuse_small_mt = 5; /* off by default outside AVX-512: tested on every build */
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (int bi = 0; bi < 2; bi++) {
            const int h = shapes[si][0], cin = shapes[si][1], cout = shapes[si][2], st = shapes[si][3], k = shapes[si][4];
            hant__fuse_tile_bytes = budgets[bi];
            hant_arch a = one_block(h, h, cin, cout, 6, k, st, 0.0f, HANT_ACT_RELU6);
            hant_net *p;
            if (hant_net_create(ctx2, &a, 2, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
            ht_seed(90 + (int)si);
            randomise(p);
            HT_CHECK(p->nfuses == 1 && p->fuses[0].autof == 2, "%dx%d %d -> %d: %d fuses", h, h, cin, cout, p->nfuses);
            if (p->nfuses != 1) { hant_net_destroy(p); continue; }
            const hant__op *o = &p->ops[p->fuses[0].op0];
            HT_CHECK(hant__fuse_on(p, o, 1) && !hant__fuse_on(p, o, 2), "fuse_on at batch 1 and 2 on 2 threads");
            hant__fuse_small_mt = 0;
            HT_CHECK(!hant__fuse_on(p, o, 1), "fuse_on with the rule off");
            hant__fuse_small_mt = 5;
            size_t ni = (size_t)h * h * cin, no = hant_net_output_size(p);
            float *x = malloc(ni * 4), *y = malloc(no * 4), *yr = malloc(no * 4);
            ht_fill(x, ni, -1, 1);
            HT_CHECK(hant_net_forward(p, x, 1, y) == HANT_OK, "%s", hant_last_error());
            hant__fuse_small_mt = 0;
            HT_CHECK(hant_net_forward(p, x, 1, yr) == HANT_OK, "%s", hant_last_error());
            hant__fuse_small_mt = 5;
            size_t at = 0;
            while (at < no && y[at] == yr[at]) at++;
            HT_CHECK(at == no, "small_mt %dx%d %d -> %d budget %zu: differs at %zu (%.9g vs %.9g)", h, h, cin, cout, budgets[bi], at,
                     y[at % no], yr[at % no]);
            double energy = 0;
            for (size_t i = 0; i < no; i++) energy += fabs(y[i]);
            HT_CHECK(energy > 0, "all-zero output proves nothing");
            free(x); free(y); free(yr);
            hant_net_destroy(p);
            /* one thread: op by op */
            if (hant_net_create(ctx1, &a, 1, &p) == HANT_OK) {
                HT_CHECK(!hant__fuse_on(p, &p->ops[p->fuses[0].op0], 1), "fuse_on on 1 thread");
                hant_net_destroy(p);
            }
        }
    hant__fuse_tile_bytes = (size_t)256 << 10;
    hant__fuse_small_mt = small_mt;
}

/* Large batches of a network with 112 x 112 maps (one image per micro-batch):
   the ops after hant__late_cut run on several images at once, against the
   same images one at a time (the op by op kernels, split over threads:
   the SE pool and tiling differ by rounding only). */
static void test_late_cut(void) {
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-224", &a) == HANT_OK, "b0-224");
    for (int t = 0; t < 2; t++) {
        hant_context *ctx = t ? ctx2 : ctx1;
        hant_net *p;
        if (hant_net_create(ctx, &a, 11, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
        size_t np; /* weights small enough that 80 layers neither explode nor vanish */
        float *P = hant_net_param_data(p, &np);
        for (size_t i = 0; i < np; i++) P[i] = ht_uniform(-0.08f, 0.08f);
        int cut = hant__late_cut(p), n = 4 * ctx->nthreads + 1;
        HT_CHECK(cut > 0 && p->ops[cut].block > 0, "no cut (%d)", cut);
        size_t ni = (size_t)a.in_h * a.in_w * a.in_c, no = hant_net_output_size(p);
        float *x = malloc(ni * n * 4), *y0 = malloc(no * n * 4), *y1 = malloc(no * n * 4);
        ht_fill(x, ni * n, -1, 1);
        HT_CHECK(hant_net_forward(p, x, n, y0) == HANT_OK, "%s", hant_last_error());
        const hant__exec *e2 = &p->infer_exec[ctx->nthreads];
        HT_CHECK(e2->from == cut && e2->cap >= 2 && p->infer_exec[0].cap == 1, "late exec: from %d cap %d", e2->from, e2->cap);
        for (int i = 0; i < n; i++) HT_CHECK(hant_net_forward(p, x + ni * i, 1, y1 + no * i) == HANT_OK, "%s", hant_last_error());
        size_t at;
        double e = ht_max_err_ratio(y0, y1, no * n, 1e-5, 1e-5, &at), energy = 0;
        for (size_t i = 0; i < no * n; i++) energy += fabs(y1[i]);
        if (getenv("HT_VERBOSE")) printf("late cut, %d threads: error ratio %g, mean |y| %g\n", ctx->nthreads, e, energy / (double)(no * n));
        HT_CHECK(e <= 1 && energy > 0, "%d threads: error ratio %g at %zu (%.9g vs %.9g), energy %g", ctx->nthreads, e, at, y0[at], y1[at], energy);
        free(x); free(y0); free(y1);
        hant_net_destroy(p);
    }
}

/* mobilenet_v3_small's early shapes (headless: 112 x 112 x 16 after the
   stem, 56 x 56 x 64 expanded, 200704 floats per image): on 2 threads at a
   batch of 5 per thread the L2 rule runs 2 images at a time up to the cut at
   half HANT__LATE_FLOATS and the rest on all 5 (8 MiB micro-batches without
   it: 5 images, no cut); both give the same bits, and the batch equals the
   images one at a time (to rounding: batch 1 splits ops across threads). */
static void test_mb_l2(void) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = a.in_w = 224; a.in_c = 3; a.bn_eps = 1e-3f;
    a.stem_cout = 16; a.stem_kernel = 3; a.stem_stride = 2; a.stem_act = HANT_ACT_HSWISH;
    static const int blk[][5] = { { 16, 16, 1, 3, 2 }, { 16, 24, 4, 3, 2 }, { 24, 24, 3, 3, 1 }, { 24, 40, 4, 5, 2 }, { 40, 40, 6, 5, 1 } }; /* cin, cout, e, k, s */
    for (int i = 0; i < 5; i++) {
        hant_block_spec b = { HANT_BLOCK_MBCONV, blk[i][0], blk[i][1], blk[i][2], blk[i][3], blk[i][4], i == 0 || i > 2 ? 0.25f : 0.0f,
                              HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 };
        a.blocks[a.num_blocks++] = b;
    }
    hant_net *p;
    if (hant_net_create(ctx2, &a, 17, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
    size_t np;
    float *P = hant_net_param_data(p, &np);
    for (size_t i = 0; i < np; i++) P[i] = ht_uniform(-0.1f, 0.1f);
    const int n = 10;
    size_t ni = (size_t)224 * 224 * 3, no = hant_net_output_size(p);
    float *x = malloc(ni * n * 4), *y0 = malloc(no * n * 4), *y1 = malloc(no * n * 4), *y2 = malloc(no * n * 4);
    ht_fill(x, ni * n, -1, 1);
    HT_CHECK(hant_net_forward(p, x, n, y1) == HANT_OK, "%s", hant_last_error());
    const hant__exec *e2 = &p->infer_exec[2];
    int cut = hant__late_cut_at(p, HANT__LATE_FLOATS / 2);
    HT_CHECK(cut > 0 && e2->from == cut && e2->cap == 5 && p->infer_exec[0].cap == 2, "L2 rule: cut %d, late exec from %d cap %d, early cap %d",
             cut, e2->from, e2->cap, p->infer_exec[0].cap);
    hant__infer_mb_l2 = 0; /* the execs only grow: this one second */
    HT_CHECK(hant_net_forward(p, x, n, y0) == HANT_OK, "%s", hant_last_error());
    HT_CHECK(p->infer_exec[0].cap == 5, "8 MiB micro-batches: %d images", p->infer_exec[0].cap);
    hant__infer_mb_l2 = 1;
    HT_CHECK(!memcmp(y0, y1, no * n * 4), "L2 rule: other bits than the 8 MiB micro-batches");
    for (int i = 0; i < n; i++) HT_CHECK(hant_net_forward(p, x + ni * i, 1, y2 + no * i) == HANT_OK, "%s", hant_last_error());
    size_t at;
    double e = ht_max_err_ratio(y1, y2, no * n, 1e-5, 1e-5, &at), energy = 0;
    for (size_t i = 0; i < no * n; i++) energy += fabs(y2[i]);
    HT_CHECK(e <= 1 && energy > 0, "L2 rule against one image at a time: error ratio %g at %zu (%.9g vs %.9g)", e, at, y1[at], y2[at]);
    free(x); free(y0); free(y1); free(y2);
    hant_net_destroy(p);
}

/* A ResNet (224 x 224, 112 x 112 x 64 after the stem: micro-batches of 2
   images) at a batch of 4 per thread: the ops after the cut at half
   HANT__LATE_FLOATS (the 28 x 28 stage) run on all of a thread's images, and
   the 7 x 7 3x3 convs there take their F(4x4) Winograd weights (16 tiles per
   thread and up); each image alone takes the implicit GEMM. Tolerance: the
   Winograd rounding (2e-4 of the output's RMS, tests/test_winograd.c). */
static void test_late_cut_resnet(void) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = a.in_w = 224; a.in_c = 3; a.num_classes = 10; a.bn_eps = 1e-5f;
    a.stem_cout = 64; a.stem_kernel = 7; a.stem_stride = 2; a.stem_act = HANT_ACT_RELU; a.stem_pool = 3;
    static const int blk[][3] = { { 64, 64, 2 }, { 64, 128, 2 }, { 128, 128, 2 }, { 128, 128, 1 } }; /* cin, cout, stride */
    for (int i = 0; i < 4; i++) {
        hant_block_spec *b = &a.blocks[a.num_blocks++];
        b->kind = HANT_BLOCK_RESNET_BASIC; b->cin = blk[i][0]; b->cout = blk[i][1]; b->kernel = 3; b->stride = blk[i][2];
        b->act = HANT_ACT_RELU; b->expansion = 1;
    }
    hant_context *ctx = ctx2;
    hant_net *p;
    if (hant_net_create(ctx, &a, 3, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
    size_t np;
    float *P = hant_net_param_data(p, &np);
    for (size_t i = 0; i < np; i++) P[i] = ht_uniform(-0.08f, 0.08f);
    int n = 4 * ctx->nthreads, cut = hant__late_cut_at(p, HANT__LATE_FLOATS / 2);
    HT_CHECK(cut > 0, "no cut at half the limit");
    size_t ni = (size_t)a.in_h * a.in_w * a.in_c, no = hant_net_output_size(p);
    float *x = malloc(ni * n * 4), *y0 = malloc(no * n * 4), *y1 = malloc(no * n * 4);
    ht_fill(x, ni * n, -1, 1);
    HT_CHECK(hant_net_forward(p, x, n, y0) == HANT_OK, "%s", hant_last_error());
    const hant__exec *e2 = &p->infer_exec[ctx->nthreads];
    HT_CHECK(e2->from == cut && e2->cap == 4 && p->infer_exec[0].cap == 2, "late exec: from %d cap %d, early cap %d", e2->from, e2->cap,
             p->infer_exec[0].cap);
    int wino7 = 0;
    for (int i = 0; i < p->nunits; i++) wino7 += p->units[i].s.h == 7 && p->units[i].wino && p->units[i].wino_m == 4;
    HT_CHECK(wino7 == 3, "%d of the 7 x 7 convs have F(4x4) weights", wino7);
    for (int i = 0; i < n; i++) HT_CHECK(hant_net_forward(p, x + ni * i, 1, y1 + no * i) == HANT_OK, "%s", hant_last_error());
    double rms = 0;
    for (size_t i = 0; i < no * n; i++) rms += (double)y1[i] * y1[i];
    rms = sqrt(rms / (double)(no * n));
    size_t at;
    double e = ht_max_err_ratio(y0, y1, no * n, 2e-4 * rms, 1e-5, &at);
    if (getenv("HT_VERBOSE")) printf("resnet late cut: error ratio %g, rms %g\n", e, rms);
    HT_CHECK(e <= 1 && rms > 0, "error ratio %g at %zu (%.9g vs %.9g), rms %g", e, at, y0[at], y1[at], rms);
    free(x); free(y0); free(y1);
    hant_net_destroy(p);
}


/* The SE gate folded into the 1x1 conv after it (hant__se_fold_unit):
   the packed weights scaled row by row equal the scaled rows packed (bit for
   bit); one block of each kind and b0-224 whole equal the gated copy's path
   (hant__se_fold 0) to rounding, on 1 and 2 threads, at batch 1 and on
   several images per thread (the solo rule, hw >= 3 cout); at batch 1 on 2
   threads the blocks whose weights are not far smaller than the tensor
   (14 x 14) keep the gated copy (the same bits as with the fold off). */

/* n images forward with the SE fold off (y0) and on (y1); the number of SEs that may fold. */
static int se_fold_both_n(hant_net *p, const float *x, int n, float *y0, float *y1) {
    hant__se_fold = 0;
    HT_CHECK(hant_net_forward(p, x, n, y0) == HANT_OK, "%s", hant_last_error());
    hant__se_fold = 1;
    HT_CHECK(hant_net_forward(p, x, n, y1) == HANT_OK, "%s", hant_last_error());
    int folds = 0;
    for (int i = 0; i < p->nops; i++) folds += p->ops[i].sefold > 0;
    return folds;
}
static int se_fold_both(hant_net *p, const float *x, float *y0, float *y1) { return se_fold_both_n(p, x, 1, y0, y1); }
static void test_se_fold(void) {
    static const int kn[][2] = { { 37, 300 }, { 16, 8 }, { 112, 672 }, { 1, 1 } };
    for (int i = 0; i < 4; i++) {
        int n = kn[i][0], k = kn[i][1];
        size_t np = hant__gemm_packed_b_floats(n, k);
        float *b = malloc(sizeof(float) * (size_t)n * k), *bs = malloc(sizeof(float) * (size_t)n * k), *g = malloc(sizeof(float) * k);
        float *p = malloc(sizeof(float) * np), *r = malloc(sizeof(float) * np), *q = malloc(sizeof(float) * np);
        ht_fill(b, (size_t)n * k, -1, 1); ht_fill(g, (size_t)k, 0, 1);
        for (int kk = 0; kk < k; kk++) for (int j = 0; j < n; j++) bs[(size_t)kk * n + j] = b[(size_t)kk * n + j] * g[kk];
        hant__gemm_pack_b_full(0, n, k, b, n, p);
        hant__gemm_pack_b_full(0, n, k, bs, n, r);
        hant__gemm_packed_scale_k(p, n, k, g, q);
        HT_CHECK(!memcmp(q, r, sizeof(float) * np), "packed scale n %d k %d differs from packing the scaled rows", n, k);
        free(b); free(bs); free(g); free(p); free(r); free(q);
    }
    static const int shapes[][4] = { { 28, 16, 1, 1 }, { 56, 16, 2, 0 }, { 14, 40, 1, 1 }, { 7, 40, 1, 0 } }; /* h, cin, stride, residual */
    for (int si = 0; si < 4; si++)
        for (int t = 0; t < 2; t++) {
            int h = shapes[si][0], cin = shapes[si][1], s = shapes[si][2], res = shapes[si][3], cout = res ? cin : cin + 24;
            hant_arch a = one_block(h, h, cin, cout, 6, 3, s, 0.25f, HANT_ACT_SILU);
            hant_net *p;
            if (hant_net_create(t ? ctx2 : ctx1, &a, 1, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
            ht_seed(120 + si);
            randomise(p);
            const int nb = 5; /* on 2 threads: 3 and 2 images, each thread alone on its own */
            size_t ni = (size_t)h * h * cin, no = hant_net_output_size(p);
            float *x = malloc(ni * 4 * nb), *y0 = malloc(no * 4 * nb), *y1 = malloc(no * 4 * nb);
            ht_fill(x, ni * nb, -1, 1);
            int folds = se_fold_both(p, x, y0, y1), hw = (h / s) * (h / s);
            int want = hw >= HANT__SE_FOLD_SOLO * cout;
            HT_CHECK(folds == want, "block %dx%dx%d stride %d: %d SEs that may fold, want %d", h, h, cin, s, folds, want);
            if (t && hw < 8 * cout) HT_CHECK(!memcmp(y0, y1, no * 4), "block %dx%dx%d stride %d: folded at batch 1 on 2 threads", h, h, cin, s);
            for (int b = 1; b <= nb; b += nb - 1) {
                if (b > 1) se_fold_both_n(p, x, b, y0, y1);
                size_t at;
                double e = ht_max_err_ratio(y1, y0, no * b, 1e-5, 1e-5, &at), energy = 0;
                for (size_t i = 0; i < no * b; i++) energy += fabs(y0[i]);
                HT_CHECK(e <= 1 && energy > 0, "block %dx%dx%d stride %d threads %d batch %d: error ratio %g at %zu (%.9g vs %.9g)", h, h, cin, s, t + 1, b, e, at, y1[at], y0[at]);
                if (b > 1 && want) HT_CHECK(memcmp(y0, y1, no * 4 * b), "block %dx%dx%d stride %d threads %d batch %d: no fold", h, h, cin, s, t + 1, b);
            }
            free(x); free(y0); free(y1);
            hant_net_destroy(p);
        }
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-224", &a) == HANT_OK, "b0-224");
    for (int t = 0; t < 2; t++) {
        hant_net *p;
        if (hant_net_create(t ? ctx2 : ctx1, &a, 13, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); return; }
        size_t np;
        float *P = hant_net_param_data(p, &np);
        for (size_t i = 0; i < np; i++) P[i] = ht_uniform(-0.08f, 0.08f);
        size_t ni = (size_t)a.in_h * a.in_w * a.in_c, no = hant_net_output_size(p);
        float *x = malloc(ni * 4), *y0 = malloc(no * 4), *y1 = malloc(no * 4);
        ht_fill(x, ni, -1, 1);
        int folds = se_fold_both(p, x, y0, y1);
        size_t at;
        double e = ht_max_err_ratio(y1, y0, no, 1e-5, 1e-5, &at), energy = 0;
        for (size_t i = 0; i < no; i++) energy += fabs(y0[i]);
        if (getenv("HT_VERBOSE")) printf("b0-224 SE fold, %d threads: %d folded, error ratio %g\n", t + 1, folds, e);
        HT_CHECK(folds >= 4 && e <= 1 && energy > 0, "b0-224 threads %d: %d folded, error ratio %g at %zu (%.9g vs %.9g)", t + 1, folds, e, at, y1[at], y0[at]);
        free(x); free(y0); free(y1);
        hant_net_destroy(p);
    }
}

/* A thread alone on whole images (the large-batch path) takes bands
   HANT__FUSE_SOLO_MUL times the budget: more rows per band, the scratch
   sized for them, and the same bits as op by op and as the plain budget
   (no SE), or within rounding (SE: the pool sums other bands). */
static void test_fuse_solo(void) {
    const int batch_on = hant__fuse_batch_on, solo = hant__fuse_solo;
    hant__fuse_batch_on = 0; /* p runs op by op on every build */
    hant__fuse_solo = 1;     /* off by default in AVX2 builds: tested on every build */
    hant__fuse_tile_bytes = (size_t)64 << 10;
    for (int se = 0; se < 2; se++) {
        hant_arch a = one_block(28, 28, 24, 24, 6, 3, 1, se ? 0.25f : 0.0f, se ? HANT_ACT_SILU : HANT_ACT_RELU6);
        hant_net *p, *q;
        if (hant_net_create(ctx2, &a, 3, &p) != HANT_OK) { HT_CHECK(0, "%s", hant_last_error()); break; }
        ht_seed(90 + se);
        randomise(p);
        q = tiled_twin(ctx2, p);
        HT_CHECK(q && q->nfuses == 1 && !q->fuses[0].autof, "tiled twin");
        if (!q || q->nfuses != 1) { hant_net_destroy(p); if (q) hant_net_destroy(q); break; }
        int r0 = hant__fuse_rows(q, &q->fuses[0], 2, 1, 0), r1 = hant__fuse_rows(q, &q->fuses[0], 2, 1, 1);
        HT_CHECK(r0 < r1 && r1 < 28, "solo bands: %d rows against %d", r1, r0);
        const int n = 4; /* 2 threads, 2 images each: every band of a thread alone */
        size_t ni = (size_t)28 * 28 * 24, no = hant_net_output_size(p) * n;
        float *x = malloc(ni * n * 4), *ys = malloc(no * 4), *y1 = malloc(no * 4), *y0 = malloc(no * 4);
        ht_fill(x, ni * n, -1, 1);
        HT_CHECK(hant_net_forward(q, x, n, ys) == HANT_OK, "%s", hant_last_error());
        hant__fuse_solo = 0;
        HT_CHECK(hant_net_forward(q, x, n, y1) == HANT_OK, "%s", hant_last_error());
        hant__fuse_solo = 1;
        HT_CHECK(hant_net_forward(p, x, n, y0) == HANT_OK, "%s", hant_last_error());
        for (int k = 0; k < 2; k++) {
            const float *yr = k ? y0 : y1;
            size_t at = 0;
            if (!se) {
                while (at < no && ys[at] == yr[at]) at++;
                HT_CHECK(at == no, "solo bands against %s: differs at %zu (%.9g vs %.9g)", k ? "op by op" : "the plain budget", at,
                         ys[at % no], yr[at % no]);
            } else {
                double e = ht_max_err_ratio(ys, yr, no, 1e-5, 1e-5, &at);
                HT_CHECK(e <= 1, "SE solo bands against %s: error ratio %g at %zu", k ? "op by op" : "the plain budget", e, at);
            }
        }
        free(x); free(ys); free(y1); free(y0);
        hant_net_destroy(p); hant_net_destroy(q);
    }
    hant__fuse_tile_bytes = (size_t)256 << 10;
    hant__fuse_batch_on = batch_on;
    hant__fuse_solo = solo;
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config c1 = { 1, 0, { 0 }, 0 }, c2 = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&c1, &ctx1) || hant_context_create(&c2, &ctx2)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    printf("isa %s\n", hant_isa());
    HT_RUN(test_signature);
    HT_RUN(test_pool_tiled);
    HT_RUN(test_tiled_buffers_and_training);
    HT_RUN(test_tiled_block_equals_untiled);
    HT_RUN(test_tiled_network);
    HT_RUN(test_auto_fuse);
    HT_RUN(test_batch_fuse);
    HT_RUN(test_small_mt);
    HT_RUN(test_late_cut);
    HT_RUN(test_late_cut_resnet);
    HT_RUN(test_mb_l2);
    HT_RUN(test_se_fold);
    HT_RUN(test_fuse_solo);
    hant_context_destroy(ctx1);
    hant_context_destroy(ctx2);
    return HT_SUMMARY();
}
