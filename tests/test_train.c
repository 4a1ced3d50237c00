/* Training: loss gradients by finite differences, optimizer updates against
   their formulas, IDX data loading with hostile files, and a small network
   that must learn. */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"
#include <unistd.h>

static hant_context *ctx;
static char dir[256];

/* Central differences of a scalar loss of the logits. */
typedef float (*loss_fn)(const float *z, float *dz, void *arg);
static void check_loss_grad(const char *what, loss_fn f, void *arg, float *z, int count) {
    float *g = malloc(sizeof(float) * count);
    f(z, g, arg);
    int bad = 0;
    for (int i = 0; i < count; i++) {
        float old = z[i];
        z[i] = old + 1e-2f;
        double lp = f(z, NULL, arg);
        z[i] = old - 1e-2f;
        double lm = f(z, NULL, arg);
        z[i] = old;
        double fd = (lp - lm) / 2e-2;
        if (!HT_CLOSE(g[i], fd, 1e-4, 1e-2)) { if (!bad) HT_CHECK(0, "%s: d[%d] analytic %g fd %g", what, i, g[i], fd); bad++; }
    }
    HT_CHECK(bad == 0, "%s: %d of %d off", what, bad, count);
    free(g);
}

enum { N = 5, K = 7 };
static int labels[N] = { 0, 3, 6, 2, 2 };
static float teacher[N * K];
static float ce_fn(const float *z, float *dz, void *arg) { return hant_loss_cross_entropy(z, labels, N, K, *(float *)arg, dz); }
static float kd_fn(const float *z, float *dz, void *arg) { float *p = (float *)arg; return hant_loss_kd(z, teacher, labels, N, K, p[0], p[1], dz); }
static float mse_fn(const float *z, float *dz, void *arg) { (void)arg; return hant_loss_mse(z, teacher, N * K, dz); }
static float nmse_fn(const float *z, float *dz, void *arg) { (void)arg; return hant_loss_nmse(z, teacher, N * K, dz); }

static void test_loss_gradients(void) {
    float z[N * K];
    ht_seed(1);
    ht_fill(z, N * K, -3, 3);
    ht_fill(teacher, N * K, -3, 3);
    float s0 = 0.0f, s1 = 0.1f;
    check_loss_grad("cross-entropy", ce_fn, &s0, z, N * K);
    check_loss_grad("cross-entropy smoothed", ce_fn, &s1, z, N * K);
    float kd1[2] = { 4.0f, 0.7f }, kd2[2] = { 1.0f, 1.0f };
    check_loss_grad("kd T=4 alpha=0.7", kd_fn, kd1, z, N * K);
    check_loss_grad("kd T=1 alpha=1", kd_fn, kd2, z, N * K);
    check_loss_grad("mse", mse_fn, NULL, z, N * K);
    check_loss_grad("normalised mse", nmse_fn, NULL, z, N * K);
    /* the vectorised blocks and tails of the normalised MSE against double */
    for (size_t n = 1; n <= 20000; n = n * 3 + 7) {
        float *y = malloc(sizeof(float) * n), *t = malloc(sizeof(float) * n), *d = malloc(sizeof(float) * n);
        ht_fill(y, n, -2, 2);
        ht_fill(t, n, -1, 3);
        double e = 0, l = 0, worst = 0;
        for (size_t i = 0; i < n; i++) { e += (double)t[i] * t[i]; l += ((double)y[i] - t[i]) * ((double)y[i] - t[i]); }
        float v = hant_loss_nmse(y, t, n, d);
        for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(d[i] - 2.0 * ((double)y[i] - t[i]) / e));
        HT_CHECK(HT_CLOSE(v, l / e, 1e-5, 1e-6) && worst < 1e-6 * (1 + 4.0 / e), "nmse n=%zu: %g vs %g, gradient off by %g", n, v, l / e, worst);
        memset(t, 0, sizeof(float) * n); /* zero energy counts as 1 */
        double l0 = 0;
        for (size_t i = 0; i < n; i++) l0 += (double)y[i] * y[i];
        HT_CHECK(HT_CLOSE(hant_loss_nmse(y, t, n, NULL), l0, 1e-5, 1e-6), "nmse of a zero target n=%zu", n);
        free(y); free(t); free(d);
    }
    /* values: CE of uniform logits is log K; KD of identical logits is 0 */
    float u[N * K] = { 0 };
    HT_CHECK(HT_CLOSE(hant_loss_cross_entropy(u, labels, N, K, 0.0f, NULL), log(K), 1e-6, 1e-6), "CE(uniform) != log K");
    memcpy(teacher, z, sizeof z);
    float kd3[2] = { 2.0f, 1.0f };
    HT_CHECK(fabs(kd_fn(z, NULL, kd3)) < 1e-6, "KD of identical logits not 0");
}

static hant_net *tiny_net(int classes, uint64_t seed) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 28; a.in_w = 28; a.in_c = 1; a.num_classes = classes; a.bn_eps = 1e-3f;
    a.in_mean[0] = 0.2860f; a.in_std[0] = 0.3530f;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 2; a.stem_act = HANT_ACT_SILU;
    a.head_cout = 32; a.head_act = HANT_ACT_SILU;
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 16, 3, 3, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 16, 16, 3, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
    a.num_blocks = 2; a.blocks[0] = b[0]; a.blocks[1] = b[1];
    hant_net *net = NULL;
    hant_net_create(ctx, &a, seed, &net);
    return net;
}

static void test_optimizers(void) {
    hant_net *net = tiny_net(3, 1);
    size_t np;
    float *P = hant_net_param_data(net, &np), *G = hant_net_grad_data(net, NULL);
    const unsigned char *D = hant_net_decay_mask(net);
    size_t wi = 0, bi = 0;
    while (!D[wi]) wi++;
    while (D[bi]) bi++;
    HT_CHECK(wi < np && bi < np, "decay mask has both kinds");
    for (int kind = 0; kind < 2; kind++) {
        hant_optim_config c;
        memset(&c, 0, sizeof c);
        c.kind = kind ? HANT_OPTIM_ADAMW : HANT_OPTIM_SGD;
        c.lr = 0.1f; c.weight_decay = 0.01f; c.nesterov = 1;
        hant_optim *o;
        HT_CHECK(hant_optim_create(net, &c, &o) == HANT_OK, "create");
        float pw = P[wi], pb = P[bi], m_w = 0, m_b = 0, v_w = 0, v_b = 0;
        for (int step = 0; step < 3; step++) {
            G[wi] = 0.5f - step; G[bi] = -0.25f + step;
            hant_optim_step(o);
            if (!kind) { /* SGD, Nesterov, L2 on weights only */
                float gw = G[wi] + 0.01f * pw, gb = G[bi];
                m_w = 0.9f * m_w + gw; m_b = 0.9f * m_b + gb;
                pw -= 0.1f * (gw + 0.9f * m_w); pb -= 0.1f * (gb + 0.9f * m_b);
            } else { /* AdamW, decoupled decay on weights only */
                double t = step + 1;
                m_w = 0.9f * m_w + 0.1f * G[wi]; v_w = 0.999f * v_w + 0.001f * G[wi] * G[wi];
                m_b = 0.9f * m_b + 0.1f * G[bi]; v_b = 0.999f * v_b + 0.001f * G[bi] * G[bi];
                pw -= 0.1f * 0.01f * pw;
                pw -= (float)(0.1 * (m_w / (1 - pow(0.9, t))) / (sqrt(v_w / (1 - pow(0.999, t))) + 1e-8));
                pb -= (float)(0.1 * (m_b / (1 - pow(0.9, t))) / (sqrt(v_b / (1 - pow(0.999, t))) + 1e-8));
            }
        }
        HT_CHECK(HT_CLOSE(P[wi], pw, 1e-6, 1e-5) && HT_CLOSE(P[bi], pb, 1e-6, 1e-5), "%s: weight %g want %g, bias %g want %g",
                 kind ? "adamw" : "sgd", P[wi], pw, P[bi], pb);
        hant_optim_destroy(o);
    }
    /* schedule: linear warm-up, cosine to 0 */
    hant_optim_config c;
    memset(&c, 0, sizeof c);
    c.lr = 1.0f; c.warmup_steps = 10; c.total_steps = 110;
    hant_optim *o;
    hant_optim_create(net, &c, &o);
    HT_CHECK(HT_CLOSE(hant_optim_lr(o), 0.1, 1e-6, 0), "warm-up start %g", hant_optim_lr(o));
    hant_optim_set_steps(o, 10);
    HT_CHECK(HT_CLOSE(hant_optim_lr(o), 1.0, 1e-6, 0), "peak %g", hant_optim_lr(o));
    hant_optim_set_steps(o, 60);
    HT_CHECK(HT_CLOSE(hant_optim_lr(o), 0.5, 1e-6, 0), "half-way %g", hant_optim_lr(o));
    hant_optim_set_steps(o, 110);
    HT_CHECK(hant_optim_lr(o) < 1e-6, "end %g", hant_optim_lr(o));
    hant_optim_destroy(o);
    c.lr = -1.0f;
    HT_CHECK(hant_optim_create(net, &c, &o) == HANT_ERR_INVALID_ARG, "negative lr accepted");
    hant_net_destroy(net);
}

static void write_idx(const char *path, int type, int nd, const int *dims, const unsigned char *data, size_t n) {
    FILE *f = fopen(path, "wb");
    unsigned char h[4] = { 0, 0, (unsigned char)type, (unsigned char)nd };
    fwrite(h, 1, 4, f);
    for (int i = 0; i < nd; i++) { unsigned char b[4] = { (unsigned char)(dims[i] >> 24), (unsigned char)(dims[i] >> 16), (unsigned char)(dims[i] >> 8), (unsigned char)dims[i] }; fwrite(b, 1, 4, f); }
    fwrite(data, 1, n, f);
    fclose(f);
}

static void test_dataset_files(void) {
    char ip[300], lp[300];
    snprintf(ip, sizeof ip, "%s/img", dir);
    snprintf(lp, sizeof lp, "%s/lab", dir);
    unsigned char img[6 * 28 * 28], lab[6] = { 0, 1, 2, 9, 4, 5 };
    for (size_t i = 0; i < sizeof img; i++) img[i] = (unsigned char)(i * 7);
    int di[3] = { 6, 28, 28 }, dl[1] = { 6 };
    write_idx(ip, 8, 3, di, img, sizeof img);
    write_idx(lp, 8, 1, dl, lab, 6);
    hant_dataset d;
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 10, &d) == HANT_OK, "load: %s", hant_last_error());
    HT_CHECK(d.n == 6 && d.h == 28 && d.w == 28 && d.labels[3] == 9, "contents");
    /* normalisation and augmentation */
    int idx[2] = { 1, 3 }, l[2];
    float x[2 * 784], y[2 * 784], m5 = 0.5f, s25 = 0.25f;
    HT_CHECK(hant_dataset_batch(&d, idx, 2, &m5, &s25, 0, NULL, x, l) == HANT_OK, "batch");
    HT_CHECK(l[0] == 1 && l[1] == 9, "labels");
    HT_CHECK(HT_CLOSE(x[5], (img[784 + 5] / 255.0 - 0.5) / 0.25, 1e-5, 1e-5), "normalised pixel");
    uint64_t r1 = 42, r2 = 42;
    hant_dataset_batch(&d, idx, 2, &m5, &s25, HANT_AUGMENT_CROP | HANT_AUGMENT_FLIP, &r1, x, l);
    hant_dataset_batch(&d, idx, 2, &m5, &s25, HANT_AUGMENT_CROP | HANT_AUGMENT_FLIP, &r2, y, l);
    HT_CHECK(memcmp(x, y, sizeof x) == 0, "augmentation not reproducible from the seed");
    hant_dataset_free(ctx, &d);
    /* hostile files */
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 9, &d) == HANT_ERR_FORMAT && strstr(hant_last_error(), "out of range"), "label 9 with 9 classes: %s", hant_last_error());
    int dl5[1] = { 5 };
    write_idx(lp, 8, 1, dl5, lab, 5);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 10, &d) == HANT_ERR_FORMAT, "6 images, 5 labels accepted");
    write_idx(ip, 8, 3, di, img, sizeof img - 1);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 10, &d) == HANT_ERR_FORMAT && strstr(hant_last_error(), "data bytes"), "truncated: %s", hant_last_error());
    write_idx(ip, 0x0D, 3, di, img, sizeof img);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 10, &d) == HANT_ERR_FORMAT && strstr(hant_last_error(), "element type"), "float IDX: %s", hant_last_error());
    int huge[3] = { 0x7fffffff, 28, 28 };
    write_idx(ip, 8, 3, huge, img, 10);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 10, &d) == HANT_ERR_FORMAT, "huge dims accepted");
    FILE *f = fopen(ip, "wb");
    fputs("\x1f\x8b\x08garbage", f);
    fclose(f);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 10, &d) == HANT_ERR_FORMAT && strstr(hant_last_error(), "gzip"), "gzip: %s", hant_last_error());
    f = fopen(ip, "wb");
    fclose(f);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 10, &d) == HANT_ERR_FORMAT, "empty file accepted");
    HT_CHECK(hant_dataset_load(ctx, "/nonexistent/img", lp, 10, &d) == HANT_ERR_IO, "missing file");
}

/* A tiny network on 1,000 Fashion-MNIST images must beat chance (10%) by far
   within a few seconds. Skipped where the data has not been unpacked. */
static void test_tiny_net_learns(void) {
    hant_dataset tr;
    if (hant_dataset_load(ctx, "build/data/train-images-idx3-ubyte", "build/data/train-labels-idx1-ubyte", 10, &tr)) {
        HT_SKIP("%s (run: make data)", hant_last_error());
        return;
    }
    hant_net *net = tiny_net(10, 3);
    const float fm_mean = 0.2860f, fm_std = 0.3530f;
    hant_optim_config c;
    memset(&c, 0, sizeof c);
    c.kind = HANT_OPTIM_ADAMW; c.lr = 3e-3f;
    hant_optim *o;
    hant_optim_create(net, &c, &o);
    enum { NTR = 1000, B = 50, NVAL = 1000 };
    int idx[NTR], lab[B];
    float *x = malloc(sizeof(float) * NVAL * 784), lg[NVAL * 10], dl[B * 10];
    double t0 = hant_time_ms();
    for (int ep = 0; ep < 6; ep++) {
        hant_shuffle(idx, NTR, (uint64_t)ep + 1);
        for (int s = 0; s < NTR / B; s++) {
            hant_dataset_batch(&tr, idx + s * B, B, &fm_mean, &fm_std, 0, NULL, x, lab);
            hant_net_train_forward(net, x, B, lg);
            hant_loss_cross_entropy(lg, lab, B, 10, 0.0f, dl);
            hant_net_zero_grad(net);
            hant_net_train_backward(net, dl);
            hant_optim_step(o);
        }
    }
    /* held-out images 50000.. */
    int vid[NVAL], vl[NVAL], correct = 0;
    for (int i = 0; i < NVAL; i++) vid[i] = 50000 + i;
    hant_dataset_batch(&tr, vid, NVAL, &fm_mean, &fm_std, 0, NULL, x, vl);
    hant_net_forward(net, x, NVAL, lg);
    for (int i = 0; i < NVAL; i++) {
        int best = 0;
        for (int k = 1; k < 10; k++) if (lg[i * 10 + k] > lg[i * 10 + best]) best = k;
        correct += best == vl[i];
    }
    double acc = (double)correct / NVAL;
    fprintf(stderr, "  tiny net: %.1f%% held-out top-1 after 6 epochs of 1,000 images (%.1f s)\n", 100 * acc, (hant_time_ms() - t0) / 1000);
    HT_CHECK(acc > 0.5, "tiny net reached only %.1f%%", 100 * acc);
    free(x);
    hant_optim_destroy(o);
    hant_net_destroy(net);
    hant_dataset_free(ctx, &tr);
}

/* Recalibrated running mean of the stem BN = plain average of the batch means. */
static void test_bn_calibrate(void) {
    hant_net *net = tiny_net(3, 5);
    const hant__unit *u = &net->units[0];
    enum { B = 6 };
    float *x = malloc(sizeof(float) * 2 * B * 784), *z = malloc(sizeof(float) * B * 14 * 14 * 8);
    ht_seed(11);
    ht_fill(x, 2 * B * 784, -1, 2);
    double want[8] = { 0 };
    for (int b = 0; b < 2; b++) {
        hant_conv_shape s = u->s;
        s.n = B;
        hant_conv_forward(ctx, &s, x + (size_t)b * B * 784, net->params + u->w, NULL, HANT_ACT_NONE, NULL, z);
        for (int c = 0; c < 8; c++) {
            double m = 0;
            for (int r = 0; r < B * 196; r++) m += z[r * 8 + c];
            want[c] += m / (B * 196) / 2;
        }
    }
    hant_net_bn_calibrate_begin(net);
    for (int b = 0; b < 2; b++) HT_CHECK(hant_net_bn_calibrate(net, x + (size_t)b * B * 784, B) == HANT_OK, "calibrate");
    for (int c = 0; c < 8; c++)
        HT_CHECK(HT_CLOSE(net->buffers[u->rmean + c], want[c], 1e-5, 1e-4), "channel %d: running mean %g want %g", c, net->buffers[u->rmean + c], want[c]);
    free(x); free(z);
    hant_net_destroy(net);
}

/* One training step of a net made from blocks b (the head as both tests want) with a knob set
   each of two ways (set(0), set(1)): the parameter and input gradients must be the same bits, and
   with the knob at 1 (left so) they must match finite differences. */
static void check_two_ways(const hant_block_spec *b, int nb, int hw, int n, int net_seed, unsigned long long seed, void (*set)(int),
                           const char *what) {
    hant_arch a = ht_headless(hw, hw, 8, b, nb);
    a.num_classes = 5; a.head_cout = 24; a.head_act = HANT_ACT_SILU;
    hant_net *net;
    if (hant_net_create(ctx, &a, net_seed, &net)) { HT_CHECK(0, "create: %s", hant_last_error()); return; }
    ht_randomise_bn(net);
    size_t nx = (size_t)n * a.in_h * a.in_w * a.in_c, no = (size_t)n * hant_net_output_size(net), np;
    float *x = malloc(nx * 4), *r = malloc(no * 4), *y[2], *dx[2], *g[2];
    ht_seed(seed);
    ht_fill(x, nx, -1, 1);
    ht_fill(r, no, -1, 1);
    hant_net_grad_data(net, &np);
    for (int k = 0; k < 2; k++) {
        set(k);
        dx[k] = malloc(nx * 4); g[k] = malloc(np * 4); y[k] = malloc(no * 4);
        hant_net_zero_grad(net);
        HT_CHECK(hant_net_train_forward(net, x, n, y[k]) == HANT_OK && hant_net_train_backward_input(net, r, dx[k]) == HANT_OK, "%s: train step", what);
        memcpy(g[k], hant_net_grad_data(net, NULL), np * 4);
    }
    HT_CHECK(!memcmp(y[0], y[1], no * 4), "%s: outputs differ between the two ways", what);
    HT_CHECK(!memcmp(g[0], g[1], np * 4), "%s: parameter gradients differ between the two ways", what);
    HT_CHECK(!memcmp(dx[0], dx[1], nx * 4), "%s: input gradients differ between the two ways", what);
    ht_seed(seed + 1);
    ht_check_net_fd(net, 3, what, 30, 1e-3);
    for (int k = 0; k < 2; k++) { free(dx[k]); free(g[k]); free(y[k]); }
    free(x); free(r);
    hant_net_destroy(net);
}

/* Training runs a unit's conv, its BN statistics and its BN backward's
   second pass in groups of images (hant__train_group_bytes). One image per
   group must give the same bits as the whole batch in one group (the
   statistics' blocks and the weight gradient's row blocks do not move), and
   the gradients must match finite differences with many groups. */
static size_t group_bytes_default;
static void set_one_image_groups(int on) { hant__train_group_bytes = on ? 1 : group_bytes_default; }
static void test_train_image_groups(void) {
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 12, 3, 3, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 12, 12, 4, 5, 1, 0.25f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_RESNET_BASIC, 12, 16, 1, 3, 1, 0.0f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 } };
    group_bytes_default = hant__train_group_bytes;
    check_two_ways(b, 3, 16, 7, 5, 77, set_one_image_groups, "one image per group");
    set_one_image_groups(0);
}

/* An SE's input gradient is formed inside the BN backward of the conv + BN
   unit before it (hant__se_dy) rather than written by the SE: the same bits
   as the SE writing it, parameter and input gradients, SiLU and hard-sigmoid
   gates, stride 1 and 2, and finite differences. */
static void set_se_defer(int on) { hant__train_se_defer = on; }
static void test_train_se_deferred(void) {
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 12, 3, 3, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 12, 12, 4, 5, 1, 0.25f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 12, 12, 1, 3, 1, 0.5f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
    check_two_ways(b, 3, 9, 5, 6, 79, set_se_defer, "SE d(in) deferred"); /* leaves the default, deferred */
}

/* The training forward packs a 1x1 unit's W once for all its image groups
   (hant__train_wpack) instead of the GEMM packing it per group: the same
   bits, with several groups (one image each) and with a 1x1 conv of more
   than one K block (320 input channels). */
static void set_wpack(int on) { hant__train_wpack = on; }
static void test_train_wpack(void) {
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 12, 3, 3, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 12, 20, 16, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 20, 20, 16, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
    size_t keep = hant__train_group_bytes;
    hant__train_group_bytes = 1;
    check_two_ways(b, 3, 8, 5, 7, 81, set_wpack, "W packed once"); /* leaves the default, packed once */
    hant__train_group_bytes = keep;
}

/* A conv + BN unit's apply + activation left to the depthwise unit or SE
   after it, which runs it group by group before its conv or its pooling
   (hant__train_defer): the same outputs and gradients, bit for bit, with one
   image per group and with the default groups; expansions with SiLU and
   hard-swish, stride 1 and 2, 3x3 and 5x5, SE and none, and an expansion-1
   block after a projection without a residual (its project unit, no
   activation, deferred). */
static void set_defer(int on) { hant__train_defer = on; }
static void test_train_bn_defer(void) {
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 12, 3, 3, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 12, 16, 4, 5, 1, 0.25f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 16, 16, 1, 3, 1, 0.5f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 16, 16, 6, 5, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 16, 16, 3, 3, 1, 0.0f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
    size_t keep = hant__train_group_bytes;
    hant__train_group_bytes = 1;
    check_two_ways(b, 5, 12, 5, 8, 83, set_defer, "BN apply deferred, one image per group");
    hant__train_group_bytes = keep;
    check_two_ways(b, 5, 12, 5, 8, 85, set_defer, "BN apply deferred"); /* leaves the default, deferred */
}

/* An SE's scaling left to the conv + BN unit after it (hant__train_defer_scale),
   which scales each group just before its conv reads it: the same outputs
   and gradients, bit for bit, with one image per group and with the default
   groups, with the BN apply before the SE deferred (the SE pools a group as
   it applies it) and not (the SE pools the batch); SiLU and hard-swish,
   stride 1 and 2, projections with and without a residual. */
static void set_scale_defer(int on) { hant__train_defer_scale = on; }
static void test_train_scale_defer(void) {
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 12, 3, 3, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 12, 12, 4, 5, 1, 0.25f, HANT_ACT_HSWISH, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 12, 16, 1, 3, 1, 0.5f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_MBCONV, 16, 16, 6, 5, 1, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 } };
    size_t keep = hant__train_group_bytes;
    hant__train_group_bytes = 1;
    check_two_ways(b, 4, 10, 5, 9, 87, set_scale_defer, "SE scaling deferred, one image per group");
    hant__train_defer = 0;
    check_two_ways(b, 4, 10, 5, 9, 89, set_scale_defer, "SE scaling deferred, BN apply not, one image per group");
    hant__train_defer = 1;
    hant__train_group_bytes = keep;
    check_two_ways(b, 4, 10, 5, 9, 91, set_scale_defer, "SE scaling deferred"); /* leaves the default, deferred */
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    snprintf(dir, sizeof dir, "/tmp/hant_test_train_%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) { printf("0 passed, 1 failed\n"); return 1; }
    hant_config cfg = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&cfg, &ctx)) { printf("0 passed, 1 failed\n"); return 1; }
    HT_RUN(test_loss_gradients);
    HT_RUN(test_optimizers);
    HT_RUN(test_dataset_files);
    HT_RUN(test_bn_calibrate);
    HT_RUN(test_tiny_net_learns);
    HT_RUN(test_train_image_groups);
    HT_RUN(test_train_se_deferred);
    HT_RUN(test_train_wpack);
    HT_RUN(test_train_bn_defer);
    HT_RUN(test_train_scale_defer);
    hant_context_destroy(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return HT_SUMMARY();
}
