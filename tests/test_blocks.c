/* The block kinds and fields of imported networks (hant_block_spec.hidden,
 * se_width/se_act/se_gate, ResNet basic and bottleneck blocks, arch.stem_pool,
 * arch.head_hidden): parameter and MAC counts against torchvision's, training
 * backward against finite differences, inference against a double-precision
 * reference forward from the raw parameters and running statistics, tiled
 * against untiled, validation messages. */
#define HANT_IMPLEMENTATION
#include "../hant.h"
#include "hant_test.h"

static hant_context *ctx1, *ctx2;

#define SPEC(kind, cin, cout, e, k, s, se, act) { kind, cin, cout, e, k, s, se, act, 1, 0, 0, 0, 0, 0, 0 }

/* ---- torchvision architectures (224x224, 1000 classes) ------------------- */
static void arch_base(hant_arch *a, int stem, int k, hant_act act) {
    memset(a, 0, sizeof *a);
    a->in_h = a->in_w = 224; a->in_c = 3; a->num_classes = 1000; a->bn_eps = 1e-5f;
    a->stem_cout = stem; a->stem_kernel = k; a->stem_stride = 2; a->stem_act = act;
}

static void arch_resnet(hant_arch *a, int bottleneck) {
    static const int reps[2][4] = { { 2, 2, 2, 2 }, { 3, 4, 6, 3 } };
    arch_base(a, 64, 7, HANT_ACT_RELU);
    a->stem_pool = 3;
    int cin = 64;
    for (int l = 0; l < 4; l++)
        for (int r = 0; r < reps[bottleneck][l]; r++) {
            hant_block_spec *b = &a->blocks[a->num_blocks++];
            memset(b, 0, sizeof *b);
            b->kind = bottleneck ? HANT_BLOCK_RESNET_BOTTLENECK : HANT_BLOCK_RESNET_BASIC;
            b->cin = cin; b->cout = (64 << l) * (bottleneck ? 4 : 1); b->kernel = 3; b->stride = r == 0 && l > 0 ? 2 : 1;
            b->act = HANT_ACT_RELU; b->expansion = 1;
            cin = b->cout;
        }
}

static void arch_mbv2(hant_arch *a) {
    static const int cfg[7][4] = { { 1, 16, 1, 1 }, { 6, 24, 2, 2 }, { 6, 32, 3, 2 }, { 6, 64, 4, 2 }, { 6, 96, 3, 1 }, { 6, 160, 3, 2 }, { 6, 320, 1, 1 } };
    arch_base(a, 32, 3, HANT_ACT_RELU6);
    a->head_cout = 1280; a->head_act = HANT_ACT_RELU6;
    int cin = 32;
    for (int s = 0; s < 7; s++)
        for (int r = 0; r < cfg[s][2]; r++) {
            hant_block_spec b = SPEC(HANT_BLOCK_MBCONV, cin, cfg[s][1], cfg[s][0], 3, r ? 1 : cfg[s][3], 0.0f, HANT_ACT_RELU6);
            a->blocks[a->num_blocks++] = b;
            cin = b.cout;
        }
}

static void arch_mbv3_small(hant_arch *a) {
    /* cin, k, hidden, cout, se, hswish, stride (torchvision's table) */
    static const int cfg[11][7] = { { 16, 3, 16, 16, 1, 0, 2 },   { 16, 3, 72, 24, 0, 0, 2 },   { 24, 3, 88, 24, 0, 0, 1 },
                                    { 24, 5, 96, 40, 1, 1, 2 },   { 40, 5, 240, 40, 1, 1, 1 },  { 40, 5, 240, 40, 1, 1, 1 },
                                    { 40, 5, 120, 48, 1, 1, 1 },  { 48, 5, 144, 48, 1, 1, 1 },  { 48, 5, 288, 96, 1, 1, 2 },
                                    { 96, 5, 576, 96, 1, 1, 1 },  { 96, 5, 576, 96, 1, 1, 1 } };
    arch_base(a, 16, 3, HANT_ACT_HSWISH);
    a->bn_eps = 1e-3f;
    a->head_cout = 576; a->head_act = HANT_ACT_HSWISH; a->head_hidden = 1024; a->head_hidden_act = HANT_ACT_HSWISH;
    for (int i = 0; i < 11; i++) {
        hant_block_spec b = SPEC(HANT_BLOCK_MBCONV, cfg[i][0], cfg[i][3], (cfg[i][2] + cfg[i][0] / 2) / cfg[i][0], cfg[i][1], cfg[i][6], 0.0f,
                                 cfg[i][5] ? HANT_ACT_HSWISH : HANT_ACT_RELU);
        b.hidden = cfg[i][2];
        if (cfg[i][4]) {
            int sq = ((cfg[i][2] / 4 + 4) / 8) * 8; /* torchvision's _make_divisible(hidden / 4, 8) */
            if (sq < 8) sq = 8;
            if (sq < 0.9 * (cfg[i][2] / 4)) sq += 8;
            b.se_width = sq; b.se_act = HANT_ACT_RELU; b.se_gate = HANT_ACT_HSIGMOID;
        }
        a->blocks[a->num_blocks++] = b;
    }
}

/* Parameters and MACs from the arch alone: stem + blocks + head. */
static void arch_counts(const hant_arch *a, int64_t *params, int64_t *macs) {
    int64_t p = 0, m = 0;
    for (int part = HANT_PART_STEM; part <= a->num_blocks; part++) {
        hant_part_layout l;
        hant_arch_part_layout(a, part, &l);
        p += (int64_t)l.param_count;
    }
    int h = hant_conv_out(a->in_h, a->stem_kernel, a->stem_stride), w = hant_conv_out(a->in_w, a->stem_kernel, a->stem_stride), c;
    m += (int64_t)h * w * a->stem_kernel * a->stem_kernel * a->in_c * a->stem_cout;
    for (int i = 0; i < a->num_blocks; i++) {
        hant_arch_block_input(a, i, &h, &w, &c);
        m += hant_block_macs(&a->blocks[i], h, w);
    }
    hant_arch_block_input(a, a->num_blocks, &h, &w, &c);
    if (a->head_cout) { m += (int64_t)h * w * c * a->head_cout; c = a->head_cout; }
    if (a->head_hidden) { m += (int64_t)c * a->head_hidden; c = a->head_hidden; }
    m += (int64_t)c * a->num_classes;
    *params = p; *macs = m;
}

/* torchvision 0.14: sum of parameter sizes; conv and linear multiply-adds at 224x224. */
static void test_torchvision_counts(void) {
    struct { const char *name; int64_t params, macs; } want[] = {
        { "resnet18", 11689512, 1814073344 },     { "resnet50", 25557032, 4089184256LL }, { "mobilenet_v2", 3504872, 300774272 },
        { "mobilenet_v3_small", 2542856, 56510400 }, { "efficientnet_b0", 5288548, 385814752 },
    };
    for (int k = 0; k < 5; k++) {
        hant_arch a;
        if (k < 2) arch_resnet(&a, k);
        else if (k == 2) arch_mbv2(&a);
        else if (k == 3) arch_mbv3_small(&a);
        else hant_arch_builtin("b0-224", &a);
        HT_CHECK(hant_arch_validate(&a) == HANT_OK, "%s: %s", want[k].name, hant_last_error());
        int64_t p, m;
        arch_counts(&a, &p, &m);
        HT_CHECK(p == want[k].params, "%s: params %lld, torchvision %lld", want[k].name, (long long)p, (long long)want[k].params);
        HT_CHECK(m == want[k].macs, "%s: MACs %lld, torchvision %lld", want[k].name, (long long)m, (long long)want[k].macs);
        if (k == 1) continue; /* the built net counts the same (resnet50 only by arch: 100 MB of weights) */
        hant_net *net;
        if (hant_net_create(ctx2, &a, 1, &net)) { HT_CHECK(0, "%s: create: %s", want[k].name, hant_last_error()); continue; }
        size_t np, nb, lb = 0;
        hant_net_param_data(net, &np);
        hant_net_buffer_data(net, &nb);
        for (int part = HANT_PART_STEM; part <= a.num_blocks; part++) {
            hant_part_layout l;
            hant_arch_part_layout(&a, part, &l);
            lb += l.buffer_count;
        }
        HT_CHECK(hant_net_params(net) == p && np == (size_t)p, "%s: net params %lld (%zu floats), arch %lld", want[k].name,
                 (long long)hant_net_params(net), np, (long long)p);
        HT_CHECK(hant_net_macs(net) == m, "%s: net MACs %lld, arch %lld", want[k].name, (long long)hant_net_macs(net), (long long)m);
        HT_CHECK(nb == lb, "%s: buffers %zu, layout %zu", want[k].name, nb, lb);
        /* one image end to end: finite logits, batch 1 = batch 2 */
        size_t nx = (size_t)224 * 224 * 3;
        float *x = malloc(2 * nx * 4), y[2000], y1[1000];
        ht_seed(40 + (uint64_t)k);
        ht_fill(x, 2 * nx, -1, 1);
        ht_randomise_bn(net);
        HT_CHECK(hant_net_forward(net, x, 2, y) == HANT_OK && hant_net_forward(net, x + nx, 1, y1) == HANT_OK, "%s: forward: %s", want[k].name,
                 hant_last_error());
        int finite = 1;
        for (int i = 0; i < 2000; i++) finite &= isfinite(y[i]) != 0;
        HT_CHECK(finite, "%s: non-finite logits", want[k].name);
        HT_CHECK(ht_max_err_ratio(y1, y + 1000, 1000, 1e-4, 1e-4, NULL) <= 1, "%s: batch 1 differs from batch 2", want[k].name);
        free(x);
        hant_net_destroy(net);
    }
}

/* ResNet-18 with every block int8 (and MobileNetV3-small, whose SE gates are
   hard sigmoids): calibrated, it runs and stays close to the fake-quant
   reference, as the block-level tests of test_int8 check in detail. */
static void test_int8_whole_nets(void) {
    for (int k = 0; k < 2; k++) {
        hant_arch a;
        if (k == 0) arch_resnet(&a, 0);
        else arch_mbv3_small(&a);
        for (int i = 0; i < a.num_blocks; i++) a.blocks[i].quant = HANT_QUANT_INT8;
        const char *name = k ? "mobilenet_v3_small int8" : "resnet18 int8";
        hant_net *net;
        if (hant_net_create(ctx2, &a, 2, &net)) { HT_CHECK(0, "%s: create: %s", name, hant_last_error()); continue; }
        ht_seed(50 + (uint64_t)k);
        ht_randomise_bn(net);
        size_t nx = (size_t)224 * 224 * 3;
        float *x = malloc(2 * nx * 4), *y = malloc(2000 * 4), *r = malloc(2000 * 4);
        ht_fill(x, 2 * nx, -1, 1);
        HT_CHECK(hant_net_calibrate(net, x, 2, 100) == HANT_OK, "%s: calibrate: %s", name, hant_last_error());
        HT_CHECK(hant_net_forward(net, x, 2, y) == HANT_OK, "%s: forward: %s", name, hant_last_error());
        hant_net_set_int8_reference(net, 1);
        HT_CHECK(hant_net_forward(net, x, 2, r) == HANT_OK, "%s: reference: %s", name, hant_last_error());
        double range = 0, d = 0;
        for (int i = 0; i < 2000; i++) { range = fmax(range, fabs(r[i])); d += fabs(y[i] - r[i]) / 2000; }
        HT_CHECK(range > 0 && d <= 0.01 * range, "%s: mean |int8 - fake-quant| %g, range %g", name, d, range);
        if (getenv("HT_VERBOSE")) fprintf(stderr, "  %s: mean |int8 - ref| %.3g, range %.3g\n", name, d, range);
        free(x); free(y); free(r);
        hant_net_destroy(net);
    }
}

/* ---- finite differences ------------------------------------------------- */

static hant_block_spec fd_specs[12];
static int fd_nspecs;
static void make_fd_specs(void) {
    hant_block_spec *s = fd_specs;
    int k = 0;
    /* MBConv, hidden 20 (not a multiple of cin), SE 6 wide with ReLU and hard sigmoid */
    s[k] = (hant_block_spec)SPEC(HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.0f, HANT_ACT_HSWISH);
    s[k].hidden = 20; s[k].se_width = 6; s[k].se_act = HANT_ACT_RELU; s[k].se_gate = HANT_ACT_HSIGMOID; k++;
    /* stride 2, hidden 13, SE from se_ratio with a ReLU inside and the default sigmoid gate */
    s[k] = (hant_block_spec)SPEC(HANT_BLOCK_MBCONV, 8, 12, 2, 5, 2, 0.25f, HANT_ACT_SILU);
    s[k].hidden = 13; s[k].se_act = HANT_ACT_RELU; k++;
    /* hidden == cin: no expand conv; hard-sigmoid gate on the default SiLU */
    s[k] = (hant_block_spec)SPEC(HANT_BLOCK_MBCONV, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU6);
    s[k].hidden = 8; s[k].se_width = 4; s[k].se_gate = HANT_ACT_HSIGMOID; k++;
    /* fused, hidden 12, SE relu / hsigmoid */
    s[k] = (hant_block_spec)SPEC(HANT_BLOCK_FUSED_MBCONV, 8, 8, 2, 3, 1, 0.0f, HANT_ACT_SILU);
    s[k].hidden = 12; s[k].se_width = 4; s[k].se_act = HANT_ACT_RELU; s[k].se_gate = HANT_ACT_HSIGMOID; k++;
    /* ResNet basic: identity shortcut; projection (stride 2); projection (channels) with a narrower first conv */
    s[k++] = (hant_block_spec)SPEC(HANT_BLOCK_RESNET_BASIC, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_SILU);
    s[k++] = (hant_block_spec)SPEC(HANT_BLOCK_RESNET_BASIC, 8, 12, 1, 3, 2, 0.0f, HANT_ACT_SILU);
    s[k] = (hant_block_spec)SPEC(HANT_BLOCK_RESNET_BASIC, 8, 12, 1, 3, 1, 0.0f, HANT_ACT_HSWISH); s[k].hidden = 6; k++;
    /* bottleneck: identity (mid = cout/4 = 2); projection with stride; projection with hidden 5 */
    s[k++] = (hant_block_spec)SPEC(HANT_BLOCK_RESNET_BOTTLENECK, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_SILU);
    s[k++] = (hant_block_spec)SPEC(HANT_BLOCK_RESNET_BOTTLENECK, 8, 16, 1, 3, 2, 0.0f, HANT_ACT_SILU);
    s[k] = (hant_block_spec)SPEC(HANT_BLOCK_RESNET_BOTTLENECK, 8, 12, 1, 3, 1, 0.0f, HANT_ACT_HSWISH); s[k].hidden = 5; k++;
    /* torchvision's ReLU everywhere (kinks are measure-zero for random inputs) */
    s[k++] = (hant_block_spec)SPEC(HANT_BLOCK_RESNET_BASIC, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    fd_nspecs = k;
}

static void test_block_backward_fd(void) {
    for (int i = 0; i < fd_nspecs; i++) {
        hant_arch a = ht_headless(6, 5, 8, &fd_specs[i], 1);
        hant_net *net;
        hant_status st = hant_net_create(ctx2, &a, 7 + (uint64_t)i, &net);
        HT_CHECK(st == HANT_OK, "spec %d: %s", i, hant_last_error());
        if (st) continue;
        char what[96];
        snprintf(what, sizeof what, "spec %d (%s hid %d s%d)", i, hant_block_kind_name(fd_specs[i].kind), fd_specs[i].hidden, fd_specs[i].stride);
        ht_seed(300 + (uint64_t)i);
        ht_check_net_fd(net, 3, what, 30, 1e-3);
        hant_net_destroy(net);
    }
}

/* A ResNet-style stem (conv + max-pool) and a MobileNetV3-style head (conv,
   pool, hidden FC with hswish, classifier). Step 1e-3 so that a probe seldom
   moves a max-pool window's maximum to another pixel. */
static hant_arch small_resnet_v3(int odd) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = odd ? 13 : 12; a.in_w = odd ? 11 : 10; a.in_c = 3; a.num_classes = 5; a.bn_eps = 1e-3f;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_SILU; a.stem_pool = 3;
    a.head_cout = 12; a.head_act = HANT_ACT_HSWISH; a.head_hidden = 10; a.head_hidden_act = HANT_ACT_HSWISH;
    hant_block_spec b[3] = { SPEC(HANT_BLOCK_RESNET_BASIC, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU),
                             SPEC(HANT_BLOCK_RESNET_BOTTLENECK, 8, 16, 1, 3, 2, 0.0f, HANT_ACT_RELU),
                             SPEC(HANT_BLOCK_MBCONV, 16, 16, 3, 3, 1, 0.0f, HANT_ACT_HSWISH) };
    b[2].hidden = 40; b[2].se_width = 8; b[2].se_act = HANT_ACT_RELU; b[2].se_gate = HANT_ACT_HSIGMOID;
    a.num_blocks = 3;
    for (int i = 0; i < 3; i++) a.blocks[i] = b[i];
    return a;
}

static void test_stem_pool_head_hidden_fd(void) {
    for (int odd = 0; odd < 2; odd++) {
        hant_arch a = small_resnet_v3(odd);
        hant_net *net;
        if (hant_net_create(odd ? ctx1 : ctx2, &a, 3, &net)) { HT_CHECK(0, "create: %s", hant_last_error()); return; }
        ht_seed(91 + (uint64_t)odd);
        ht_check_net_fd(net, 3, odd ? "stem pool + head hidden (odd sizes, 1 thread)" : "stem pool + head hidden", 45, 1e-3);
        /* the stem pool halves the map: 12x10 -> 6x5, 13x11 -> 7x6 */
        int h, w, c;
        hant_arch_block_input(&a, 0, &h, &w, &c);
        HT_CHECK(h == (odd ? 7 : 6) && w == (odd ? 6 : 5) && c == 8, "block 0 input %dx%dx%d", h, w, c);
        hant_net_destroy(net);
    }
    /* a head without a conv: pool -> hidden FC -> classifier */
    hant_arch a = small_resnet_v3(0);
    a.head_cout = 0; a.head_hidden_act = HANT_ACT_RELU;
    hant_net *net;
    if (hant_net_create(ctx2, &a, 4, &net)) { HT_CHECK(0, "create: %s", hant_last_error()); return; }
    ht_seed(95);
    ht_check_net_fd(net, 2, "head hidden without head conv", 30, 1e-3);
    hant_net_destroy(net);
}

/* ---- inference against a reference --------------------------------------- */

static void check_vs_reference(hant_net *net, const char *what) {
    const hant_arch *a = hant_net_arch(net);
    const int ns[] = { 1, 5 };
    for (int q = 0; q < 2; q++) {
        int n = ns[q];
        size_t nx = (size_t)n * a->in_h * a->in_w * a->in_c, no = (size_t)n * hant_net_output_size(net);
        float *x = malloc(nx * 4), *y = malloc(no * 4), *r = malloc(no * 4);
        ht_fill(x, nx, -1, 1);
        HT_CHECK(hant_net_forward(net, x, n, y) == HANT_OK, "%s: forward: %s", what, hant_last_error());
        ht_ref_net_forward(net, x, n, r);
        size_t at;
        double e = ht_max_err_ratio(y, r, no, 1e-4, 1e-4, &at);
        HT_CHECK(e <= 1, "%s n=%d vs reference: err ratio %g at %zu (%g vs %g)", what, n, e, at, y[at], r[at]);
        double energy = 0;
        for (size_t i = 0; i < no; i++) energy += fabs(r[i]);
        HT_CHECK(energy > 0, "%s: all-zero output proves nothing", what);
        free(x); free(y); free(r);
    }
}

/* Inference (BN folded, packed weights, fused epilogues) = the reference with
   running statistics; every new block kind, with a head and without. */
static void test_forward_vs_reference(void) {
    for (int t = 0; t < 2; t++) {
        hant_net *net;
        for (int i = 0; i < fd_nspecs; i++) {
            hant_arch a = ht_headless(9, 7, 8, &fd_specs[i], 1);
            if (hant_net_create(t ? ctx2 : ctx1, &a, 31 + (uint64_t)i, &net)) { HT_CHECK(0, "spec %d: %s", i, hant_last_error()); continue; }
            ht_seed(600 + (uint64_t)i);
            ht_randomise_bn(net);
            char what[64];
            snprintf(what, sizeof what, "spec %d t%d", i, t + 1);
            check_vs_reference(net, what);
            hant_net_destroy(net);
        }
        for (int odd = 0; odd < 2; odd++) {
            hant_arch a = small_resnet_v3(odd);
            if (hant_net_create(t ? ctx2 : ctx1, &a, 41, &net)) { HT_CHECK(0, "net: %s", hant_last_error()); continue; }
            ht_seed(700 + (uint64_t)odd);
            ht_randomise_bn(net);
            check_vs_reference(net, odd ? "small net (odd)" : "small net");
            hant_net_destroy(net);
        }
    }
}

/* Training with running statistics equal to the batch's: after BN
   recalibration on one batch the training forward and inference differ by
   the unbiased variance (N/(N-1)) only; with N large that is tiny. */
static void train_vs_inference(hant_arch *a, const char *what) {
    hant_net *net; /* one thread: the BN statistics cover the whole batch */
    if (hant_net_create(ctx1, a, 5, &net)) { HT_CHECK(0, "%s", hant_last_error()); return; }
    enum { NB = 6 };
    size_t nx = (size_t)NB * a->in_h * a->in_w * a->in_c, no = (size_t)NB * hant_net_output_size(net);
    float *x = malloc(nx * 4), *yt = malloc(no * 4), *yi = malloc(no * 4);
    ht_seed(17);
    ht_fill(x, nx, -1, 1);
    HT_CHECK(hant_net_train_forward(net, x, NB, yt) == HANT_OK, "train forward");
    hant_net_bn_calibrate_begin(net); /* running statistics = this batch's (and no training forward after it) */
    HT_CHECK(hant_net_bn_calibrate(net, x, NB) == HANT_OK, "bn calibrate");
    /* running variance = the batch's biased variance, as the training forward normalises */
    float *B = hant_net_buffer_data(net, NULL);
    for (int i = 0; i < net->nunits; i++) {
        const hant__unit *u = &net->units[i];
        double N = (double)NB * u->oh * u->ow;
        if (u->has_bn) for (int c = 0; c < u->s.cout; c++) B[u->rvar + c] = (float)(B[u->rvar + c] * (N - 1) / N);
    }
    HT_CHECK(hant_net_forward(net, x, NB, yi) == HANT_OK, "forward");
    size_t at;
    double e = ht_max_err_ratio(yi, yt, no, 1e-4, 1e-3, &at), m = 0;
    for (size_t i = 0; i < no; i++) m = fmax(m, fabs(yt[i]));
    HT_CHECK(e <= 1 && m > 0, "%s: inference vs training forward: ratio %g at %zu (%g vs %g)", what, e, at, yi[at], yt[at]);
    free(x); free(yt); free(yi);
    hant_net_destroy(net);
}

/* The training forward with the batch's statistics as running statistics =
   inference, for every new block kind and the small nets. */
static void test_train_matches_inference(void) {
    char what[64];
    for (int i = 0; i < fd_nspecs; i++) {
        hant_arch a = ht_headless(9, 7, 8, &fd_specs[i], 1);
        snprintf(what, sizeof what, "spec %d", i);
        train_vs_inference(&a, what);
    }
    for (int odd = 0; odd < 2; odd++) {
        hant_arch a = small_resnet_v3(odd);
        train_vs_inference(&a, odd ? "small net (odd)" : "small net");
    }
}

/* Tiled MBConv with hidden width and MobileNetV3's SE = the op by op path. */
static void test_tiled_variants(void) {
    hant_block_spec b[2] = { fd_specs[0], fd_specs[1] };
    for (int k = 0; k < 2; k++) {
        hant_arch a = ht_headless(11, 9, 8, &b[k], 1), at = a;
        at.blocks[0].tiled = 1;
        hant_net *p, *t;
        if (hant_net_create(ctx2, &a, 9, &p)) { HT_CHECK(0, "%s", hant_last_error()); return; }
        if (hant_net_create(ctx2, &at, 9, &t)) { HT_CHECK(0, "%s", hant_last_error()); hant_net_destroy(p); return; }
        ht_seed(800 + (uint64_t)k);
        ht_randomise_bn(p);
        size_t np, nb;
        float *sp = hant_net_param_data(p, &np), *sb = hant_net_buffer_data(p, &nb);
        memcpy(hant_net_param_data(t, NULL), sp, np * 4);
        memcpy(hant_net_buffer_data(t, NULL), sb, nb * 4);
        enum { N = 3 };
        size_t nx = (size_t)N * 11 * 9 * 3, no = (size_t)N * hant_net_output_size(p);
        float *x = malloc(nx * 4), *y0 = malloc(no * 4), *y1 = malloc(no * 4);
        ht_fill(x, nx, -1, 1);
        HT_CHECK(hant_net_forward(p, x, N, y0) == HANT_OK && hant_net_forward(t, x, N, y1) == HANT_OK, "forward: %s", hant_last_error());
        size_t at2;
        double e = ht_max_err_ratio(y1, y0, no, 1e-5, 1e-5, &at2);
        HT_CHECK(e <= 1, "spec %d tiled vs untiled: ratio %g at %zu", k, e, at2);
        check_vs_reference(t, k ? "tiled hidden 13" : "tiled hidden 20");
        free(x); free(y0); free(y1);
        hant_net_destroy(p); hant_net_destroy(t);
    }
}

static void expect_invalid(const hant_arch *a, const char *needle, const char *what) {
    hant_status st = hant_arch_validate(a);
    HT_CHECK(st == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), needle), "%s: status %d, message '%s' (want '%s')", what, (int)st,
             hant_last_error(), needle);
}

static void test_validation(void) {
    hant_block_spec ok = SPEC(HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.0f, HANT_ACT_RELU);
    hant_arch a = ht_headless(6, 6, 8, &ok, 1), b;
    HT_CHECK(hant_arch_validate(&a) == HANT_OK, "%s", hant_last_error());
    b = a; b.blocks[0].act = (hant_act)HANT_ACT_COUNT; expect_invalid(&b, "act", "act out of range");
    b = a; b.blocks[0].act = HANT_ACT_HSIGMOID; HT_CHECK(hant_arch_validate(&b) == HANT_OK, "hsigmoid block act: %s", hant_last_error());
    b = a; b.blocks[0].hidden = -1; expect_invalid(&b, "hidden", "negative hidden");
    b = a; b.blocks[0].hidden = 70000; expect_invalid(&b, "hidden", "huge hidden");
    b = a; b.blocks[0].hidden = 13; b.blocks[0].expansion = 0; HT_CHECK(hant_arch_validate(&b) == HANT_OK, "hidden with expansion 0: %s", hant_last_error());
    b = a; b.blocks[0].se_width = -2; expect_invalid(&b, "se_width", "negative se_width");
    b = a; b.blocks[0].se_width = 4; b.blocks[0].se_act = (hant_act)9; expect_invalid(&b, "se_act", "se_act out of range");
    b = a; b.blocks[0].se_width = 4; b.blocks[0].se_gate = HANT_ACT_RELU; expect_invalid(&b, "se_gate", "relu gate");
    b = a; b.blocks[0].kind = HANT_BLOCK_CONV; b.blocks[0].se_width = 4; expect_invalid(&b, "takes no SE", "conv with se_width");
    b = a; b.blocks[0].kind = HANT_BLOCK_CONV; b.blocks[0].hidden = 4; expect_invalid(&b, "hidden", "conv with hidden");
    b = a; b.blocks[0].kind = HANT_BLOCK_RESNET_BASIC; b.blocks[0].se_ratio = 0.25f; expect_invalid(&b, "takes no SE", "basic with SE");
    b = a; b.blocks[0].kind = HANT_BLOCK_RESNET_BASIC; b.blocks[0].groups = 2; expect_invalid(&b, "groups", "basic with groups");
    b = a; b.blocks[0].kind = HANT_BLOCK_RESNET_BASIC; b.blocks[0].tiled = 1; expect_invalid(&b, "tiled", "tiled basic");
    b = a; b.blocks[0].kind = HANT_BLOCK_RESNET_BOTTLENECK; b.blocks[0].cout = 3; b.blocks[0].cin = 8;
    b.num_blocks = 1; expect_invalid(&b, "inner width", "bottleneck cout 3");
    b = a; b.blocks[0].kind = (hant_block_kind)7; expect_invalid(&b, "kind", "kind 7");
    b = a; b.stem_cout = 0; b.in_c = 8; b.stem_pool = 3; expect_invalid(&b, "stem_pool", "pool without a stem");
    b = a; b.stem_cout = 8; b.stem_kernel = 3; b.stem_stride = 1; b.in_c = 3; b.stem_pool = 2; expect_invalid(&b, "stem_pool", "stem_pool 2");
    b = a; b.head_hidden = 16; expect_invalid(&b, "head_hidden", "hidden FC without a head");
    b = a; b.num_classes = 4; b.head_hidden = -1; expect_invalid(&b, "head_hidden", "negative head_hidden");
    b = a; b.num_classes = 4; b.head_hidden = 8; b.head_hidden_act = (hant_act)7; expect_invalid(&b, "head_hidden_act", "head_hidden_act 7");
    b = a; b.num_classes = 4; b.head_hidden = 8; b.head_hidden_act = HANT_ACT_HSWISH;
    HT_CHECK(hant_arch_validate(&b) == HANT_OK, "hidden FC head: %s", hant_last_error());
    /* the stem pool shrinks the map the blocks see: a stride-2 pool on 1x1 still gives 1x1 */
    b = a; b.in_c = 3; b.stem_cout = 8; b.stem_kernel = 3; b.stem_stride = 2; b.stem_pool = 3; b.in_h = b.in_w = 1;
    HT_CHECK(hant_arch_validate(&b) == HANT_OK, "1x1 with stem pool: %s", hant_last_error());
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config c1 = { 1, 0, { 0 }, 0 }, c2 = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&c1, &ctx1) || hant_context_create(&c2, &ctx2)) { printf("context: %s\n0 passed, 1 failed\n", hant_last_error()); return 1; }
    make_fd_specs();
    HT_RUN(test_validation);
    HT_RUN(test_torchvision_counts);
    HT_RUN(test_int8_whole_nets);
    HT_RUN(test_block_backward_fd);
    HT_RUN(test_stem_pool_head_hidden_fd);
    HT_RUN(test_forward_vs_reference);
    HT_RUN(test_train_matches_inference);
    HT_RUN(test_tiled_variants);
    hant_context_destroy(ctx1);
    hant_context_destroy(ctx2);
    return HT_SUMMARY();
}
