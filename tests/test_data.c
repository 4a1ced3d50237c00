/* Data sets: .npy images (uint8 NHWC, float32 NCHW) and labels (int64, int32,
 * uint8) read image by image, IDX files, directory detection, per-channel
 * normalisation, crop/flip augmentation against a reference, and hostile
 * files (dtype, rank, shapes, counts, order, byte order, header length,
 * overflowing shapes, truncation, NaN, out-of-range labels).
 *
 * Also the fixture writer of tests/cli_data.sh (no Python needed):
 *   test_data --make-set DIR N_TRAIN N_TEST H W C CLASSES [f32]
 *       learnable synthetic images (a colour per class + noise) as .npy;
 *       N_TEST 0 writes no test split
 *   test_data --make-model FILE.hant H W C CLASSES   a tiny random network
 *   test_data --top1 LOGITS.npy LABELS.npy           prints 'top1 0.xxxx' */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"
#include <unistd.h>

static hant_context *ctx;
static char dir[256];

/* Writes a .npy file with the header dict `dict` (version 1, or 2 when v2)
   and `bytes` of data. */
static void npy_raw(const char *path, const char *dict, const void *data, size_t bytes, int v2) {
    size_t dl = strlen(dict), pre = v2 ? 12 : 10, hl = (dl + 1 + pre + 63) / 64 * 64 - pre;
    FILE *f = fopen(path, "wb");
    unsigned char p[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)(v2 ? 2 : 1), 0,
                            (unsigned char)(hl & 255), (unsigned char)((hl >> 8) & 255), (unsigned char)((hl >> 16) & 255), 0 };
    fwrite(p, 1, pre, f);
    fwrite(dict, 1, dl, f);
    for (size_t i = dl; i + 1 < hl; i++) fputc(' ', f);
    fputc('\n', f);
    if (bytes) fwrite(data, 1, bytes, f);
    fclose(f);
}

/* A .npy array of dtype descr ('|u1', '<f4', '<i8', ...) and the given shape. */
static void npy_write(const char *path, const char *descr, int nd, const long long *shape, const void *data, size_t bytes) {
    char dict[512], sh[256] = "";
    size_t k = 0;
    for (int i = 0; i < nd; i++) k += (size_t)snprintf(sh + k, sizeof sh - k, "%lld%s", shape[i], nd == 1 ? "," : i + 1 < nd ? ", " : "");
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh);
    npy_raw(path, dict, data, bytes, 0);
}

static void path_in(char *p, size_t n, const char *name) { snprintf(p, n, "%s/%s", dir, name); }

static void put_i64(unsigned char *p, long long v) { for (int i = 0; i < 8; i++) p[i] = (unsigned char)((unsigned long long)v >> (8 * i)); }

/* uint8 [N, H, W, C] with each pixel a function of its position. */
enum { N = 5, H = 6, W = 7, C = 3 };
static unsigned char pix(int n, int y, int x, int c) { return (unsigned char)(n * 37 + y * 11 + x * 5 + c * 83); }

static void write_u8_set(const char *ip, const char *lp) {
    static unsigned char img[N * H * W * C];
    for (int n = 0; n < N; n++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int c = 0; c < C; c++) img[((n * H + y) * W + x) * C + c] = pix(n, y, x, c);
    long long s[4] = { N, H, W, C }, sl[1] = { N };
    npy_write(ip, "|u1", 4, s, img, sizeof img);
    unsigned char lab[N * 8];
    for (int n = 0; n < N; n++) put_i64(lab + 8 * n, (n * 3) % 4);
    npy_write(lp, "<i8", 1, sl, lab, sizeof lab);
}

static const float mean3[3] = { 0.4f, 0.5f, 0.6f }, std3[3] = { 0.2f, 0.25f, 0.3f };

static void test_u8_nhwc(void) {
    char ip[300], lp[300];
    path_in(ip, sizeof ip, "u8_images.npy"); path_in(lp, sizeof lp, "u8_labels.npy");
    write_u8_set(ip, lp);
    hant_dataset d;
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 4, &d) == HANT_OK, "load: %s", hant_last_error());
    HT_CHECK(d.n == N && d.h == H && d.w == W && d.c == C && d.pixels == HANT_PIXELS_U8_NHWC && !d.images && d.file, "shape %d %d %d %d", d.n, d.h, d.w, d.c);
    int idx[3] = { 4, 0, 2 }, lab[3];
    float x[3 * H * W * C];
    HT_CHECK(hant_dataset_batch(&d, idx, 3, mean3, std3, 0, NULL, x, lab) == HANT_OK, "batch: %s", hant_last_error());
    HT_CHECK(lab[0] == 0 && lab[1] == 0 && lab[2] == 2, "labels %d %d %d", lab[0], lab[1], lab[2]);
    int bad = 0;
    for (int i = 0; i < 3; i++)
        for (int y = 0; y < H; y++)
            for (int xx = 0; xx < W; xx++)
                for (int c = 0; c < C; c++) {
                    double want = (pix(idx[i], y, xx, c) / 255.0 - mean3[c]) / std3[c];
                    bad += !HT_CLOSE(x[((i * H + y) * W + xx) * C + c], want, 1e-5, 1e-5);
                }
    HT_CHECK(!bad, "%d pixels not normalised per channel (NHWC)", bad);
    /* labels as int32 and uint8 give the same */
    long long sl[1] = { N };
    int32_t l32[N];
    unsigned char l8[N];
    for (int n = 0; n < N; n++) { l32[n] = (n * 3) % 4; l8[n] = (unsigned char)((n * 3) % 4); }
    hant_dataset e;
    npy_write(lp, "<i4", 1, sl, l32, sizeof l32);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 4, &e) == HANT_OK && e.labels[4] == 0 && e.labels[3] == 1, "int32 labels: %s", hant_last_error());
    hant_dataset_free(ctx, &e);
    npy_write(lp, "|u1", 1, sl, l8, sizeof l8);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 4, &e) == HANT_OK && e.labels[2] == 2, "uint8 labels: %s", hant_last_error());
    hant_dataset_free(ctx, &e);
    /* images only */
    HT_CHECK(hant_dataset_load(ctx, ip, NULL, 0, &e) == HANT_OK && !e.labels, "images only: %s", hant_last_error());
    HT_CHECK(hant_dataset_batch(&e, idx, 1, mean3, std3, 0, NULL, x, lab) == HANT_ERR_INVALID_ARG, "labels from a set without them");
    HT_CHECK(hant_dataset_batch(&e, idx, 1, mean3, std3, 0, NULL, x, NULL) == HANT_OK, "images only batch: %s", hant_last_error());
    hant_dataset_free(ctx, &e);
    /* bad calls */
    int out[1] = { N };
    HT_CHECK(hant_dataset_batch(&d, out, 1, mean3, std3, 0, NULL, x, NULL) == HANT_ERR_INVALID_ARG, "index past the end");
    HT_CHECK(hant_dataset_batch(&d, idx, 1, mean3, std3, HANT_AUGMENT_CROP, NULL, x, NULL) == HANT_ERR_INVALID_ARG, "augment without rng");
    HT_CHECK(hant_dataset_batch(&d, idx, 1, NULL, NULL, 0, NULL, x, NULL) == HANT_ERR_INVALID_ARG, "uint8 without mean/std");
    const float zstd[3] = { 0.2f, 0.0f, 0.3f };
    HT_CHECK(hant_dataset_batch(&d, idx, 1, mean3, zstd, 0, NULL, x, NULL) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "channel 1"), "std 0: %s", hant_last_error());
    /* the file shrinks under an open set: an error, not a crash */
    FILE *f = fopen(ip, "r+b");
    HT_CHECK(f && ftruncate(fileno(f), 200) == 0, "truncate");
    if (f) fclose(f);
    HT_CHECK(hant_dataset_batch(&d, idx, 1, mean3, std3, 0, NULL, x, NULL) == HANT_ERR_IO && strstr(hant_last_error(), "image 4"), "shrunk file: %s", hant_last_error());
    hant_dataset_free(ctx, &d);
    HT_CHECK(d.file == NULL && d.labels == NULL, "free clears");
}

static void test_f32_nchw(void) {
    char ip[300], lp[300];
    path_in(ip, sizeof ip, "f_images.npy"); path_in(lp, sizeof lp, "f_labels.npy");
    static float img[N * C * H * W];
    for (int i = 0; i < N * C * H * W; i++) img[i] = (float)i * 0.01f - 3.0f;
    long long s[4] = { N, C, H, W }, sl[1] = { N };
    npy_write(ip, "<f4", 4, s, img, sizeof img);
    int32_t lab[N] = { 0, 1, 2, 3, 4 };
    npy_write(lp, "<i4", 1, sl, lab, sizeof lab);
    hant_dataset d;
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 5, &d) == HANT_OK, "load: %s", hant_last_error());
    HT_CHECK(d.c == C && d.h == H && d.w == W && d.pixels == HANT_PIXELS_F32_NCHW, "shape");
    int idx[2] = { 3, 1 }, l[2];
    float x[2 * H * W * C];
    HT_CHECK(hant_dataset_batch(&d, idx, 2, NULL, NULL, 0, NULL, x, l) == HANT_OK, "batch: %s", hant_last_error());
    int bad = 0;
    for (int i = 0; i < 2; i++)
        for (int y = 0; y < H; y++)
            for (int xx = 0; xx < W; xx++)
                for (int c = 0; c < C; c++) bad += x[((i * H + y) * W + xx) * C + c] != img[((idx[i] * C + c) * H + y) * W + xx];
    HT_CHECK(!bad && l[0] == 3 && l[1] == 1, "%d values not transposed NCHW -> NHWC exactly", bad);
    hant_dataset_free(ctx, &d);
    /* NaN and infinity in an image: an error naming the image, when it is read */
    img[(3 * C + 1) * H * W + 5] = NAN;
    img[(1 * C) * H * W] = INFINITY;
    npy_write(ip, "<f4", 4, s, img, sizeof img);
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 5, &d) == HANT_OK, "load: %s", hant_last_error());
    HT_CHECK(hant_dataset_batch(&d, idx, 1, NULL, NULL, 0, NULL, x, l) == HANT_ERR_NONFINITE && strstr(hant_last_error(), "image 3"), "NaN: %s", hant_last_error());
    HT_CHECK(hant_dataset_batch(&d, idx + 1, 1, NULL, NULL, 0, NULL, x, l) == HANT_ERR_NONFINITE && strstr(hant_last_error(), "image 1"), "Inf: %s", hant_last_error());
    int ok2[1] = { 0 };
    HT_CHECK(hant_dataset_batch(&d, ok2, 1, NULL, NULL, 0, NULL, x, l) == HANT_OK, "a finite image of the same file");
    hant_dataset_free(ctx, &d);
}

/* The augmentation against a direct reference: shift (dy, dx) in +-pad and
   flip from one splitmix draw, padding a black pixel (uint8) or 0 (float32). */
static void test_augment(void) {
    HT_CHECK(hant_dataset_pad(28) == 2 && hant_dataset_pad(32) == 2 && hant_dataset_pad(64) == 5 && hant_dataset_pad(224) == 16 && hant_dataset_pad(6) == 0 && hant_dataset_pad(7) == 1,
             "pad = round(side / 14)");
    char ip[300], lp[300], fp[300];
    path_in(ip, sizeof ip, "a_images.npy"); path_in(lp, sizeof lp, "a_labels.npy"); path_in(fp, sizeof fp, "a_f.npy");
    enum { AN = 4, AH = 28, AW = 42, AC = 2 };
    static unsigned char img[AN * AH * AW * AC];
    static float fimg[AN * AC * AH * AW];
    for (int n = 0; n < AN; n++)
        for (int y = 0; y < AH; y++)
            for (int x = 0; x < AW; x++)
                for (int c = 0; c < AC; c++) {
                    img[((n * AH + y) * AW + x) * AC + c] = (unsigned char)(1 + (n * 13 + y * 7 + x * 3 + c * 101) % 250);
                    fimg[((n * AC + c) * AH + y) * AW + x] = 1.0f + (float)((n * 13 + y * 7 + x * 3 + c * 101) % 250);
                }
    long long s[4] = { AN, AH, AW, AC }, sf[4] = { AN, AC, AH, AW }, sl[1] = { AN };
    npy_write(ip, "|u1", 4, s, img, sizeof img);
    npy_write(fp, "<f4", 4, sf, fimg, sizeof fimg);
    unsigned char lab[AN] = { 0, 1, 0, 1 };
    npy_write(lp, "|u1", 1, sl, lab, sizeof lab);
    hant_dataset d, e;
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 2, &d) == HANT_OK && hant_dataset_load(ctx, fp, lp, 2, &e) == HANT_OK, "load: %s", hant_last_error());
    const float m[2] = { 0.3f, 0.7f }, sd[2] = { 0.5f, 0.25f };
    static float x[AN * AH * AW * AC];
    int idx[AN] = { 0, 1, 2, 3 };
    int shifted = 0, flipped = 0;
    for (int mode = 1; mode <= 3; mode++)
        for (int f32 = 0; f32 < 2; f32++)
            for (int round = 0; round < 6; round++) {
                uint64_t rng = 1000 + (uint64_t)round * 77 + (uint64_t)mode, ref = rng;
                HT_CHECK(hant_dataset_batch(f32 ? &e : &d, idx, AN, m, sd, mode, &rng, x, NULL) == HANT_OK, "batch: %s", hant_last_error());
                int bad = 0;
                for (int n = 0; n < AN; n++) {
                    uint64_t r = hant__splitmix(&ref);
                    int ph = mode & HANT_AUGMENT_CROP ? 2 : 0, pw = mode & HANT_AUGMENT_CROP ? 3 : 0;
                    int dy = (int)(r % (uint64_t)(2 * ph + 1)) - ph, dx = (int)((r >> 8) % (uint64_t)(2 * pw + 1)) - pw;
                    int flip = mode & HANT_AUGMENT_FLIP ? (int)((r >> 16) & 1) : 0;
                    shifted += dy != 0 || dx != 0; flipped += flip;
                    for (int y = 0; y < AH; y++)
                        for (int xx = 0; xx < AW; xx++)
                            for (int c = 0; c < AC; c++) {
                                int sy = y + dy, sx = (flip ? AW - 1 - xx : xx) + dx, in = sy >= 0 && sy < AH && sx >= 0 && sx < AW;
                                double v = f32 ? (in ? fimg[((n * AC + c) * AH + sy) * AW + sx] : 0.0)
                                               : ((in ? img[((n * AH + sy) * AW + sx) * AC + c] : 0) / 255.0 - m[c]) / sd[c];
                                bad += !HT_CLOSE(x[((n * AH + y) * AW + xx) * AC + c], v, 1e-5, 1e-5);
                            }
                }
                HT_CHECK(!bad, "mode %d %s round %d: %d values differ from the reference", mode, f32 ? "f32" : "u8", round, bad);
                HT_CHECK(rng == ref, "one draw per image");
            }
    HT_CHECK(shifted > 0 && flipped > 0, "augmentation never shifted (%d) or flipped (%d)", shifted, flipped);
    hant_dataset_free(ctx, &d);
    hant_dataset_free(ctx, &e);
}

static void write_idx(const char *path, int nd, const int *dims, const unsigned char *data, size_t n) {
    FILE *f = fopen(path, "wb");
    unsigned char h[4] = { 0, 0, 8, (unsigned char)nd };
    fwrite(h, 1, 4, f);
    for (int i = 0; i < nd; i++) { unsigned char b[4] = { (unsigned char)(dims[i] >> 24), (unsigned char)(dims[i] >> 16), (unsigned char)(dims[i] >> 8), (unsigned char)dims[i] }; fwrite(b, 1, 4, f); }
    fwrite(data, 1, n, f);
    fclose(f);
}

/* A directory of IDX files and one of the same images as .npy give the same
   batches, augmented or not; the directory layout is detected. */
static void test_dirs(void) {
    char di[300], dn[300], p[400], q[400];
    path_in(di, sizeof di, "idxdir"); path_in(dn, sizeof dn, "npydir");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p %s %s", di, dn);
    HT_CHECK(system(cmd) == 0, "mkdir");
    enum { DN = 40 };
    static unsigned char img[DN * 28 * 28], lab[DN];
    for (size_t i = 0; i < sizeof img; i++) img[i] = (unsigned char)(i * 2654435761u >> 24);
    for (int i = 0; i < DN; i++) lab[i] = (unsigned char)(i % 10);
    int dims[3] = { DN, 28, 28 }, dl[1] = { DN };
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte", di); write_idx(p, 3, dims, img, sizeof img);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte", di); write_idx(p, 1, dl, lab, sizeof lab);
    long long s3[3] = { DN, 28, 28 }, sl[1] = { DN };
    snprintf(p, sizeof p, "%s/train_images.npy", dn); npy_write(p, "|u1", 3, s3, img, sizeof img);
    snprintf(q, sizeof q, "%s/train_labels.npy", dn); npy_write(q, "|u1", 1, sl, lab, sizeof lab);
    hant_dataset a, b;
    HT_CHECK(hant_dataset_open_dir(ctx, di, "train", 10, &a) == HANT_OK && a.images && a.c == 1, "IDX dir: %s", hant_last_error());
    HT_CHECK(hant_dataset_open_dir(ctx, dn, "train", 10, &b) == HANT_OK && !b.images && b.file && b.c == 1, "npy dir: %s", hant_last_error());
    const float m = 0.2860f, sd = 0.3530f;
    static float x[DN * 784], y[DN * 784];
    int idx[DN], la[DN], lb[DN];
    hant_shuffle(idx, DN, 7);
    for (int aug = 0; aug <= 3; aug++) {
        uint64_t r1 = 5, r2 = 5;
        HT_CHECK(hant_dataset_batch(&a, idx, DN, &m, &sd, aug, &r1, x, la) == HANT_OK && hant_dataset_batch(&b, idx, DN, &m, &sd, aug, &r2, y, lb) == HANT_OK, "batch");
        HT_CHECK(!memcmp(x, y, sizeof x) && !memcmp(la, lb, sizeof la), "augment %d: IDX and .npy batches differ", aug);
    }
    hant_dataset_free(ctx, &a); hant_dataset_free(ctx, &b);
    /* [N, H, W, 1] is the same as [N, H, W] */
    long long s4[4] = { DN, 28, 28, 1 };
    npy_write(p, "|u1", 4, s4, img, sizeof img);
    HT_CHECK(hant_dataset_open_dir(ctx, dn, "train", 10, &b) == HANT_OK && b.c == 1, "NHWC1: %s", hant_last_error());
    HT_CHECK(hant_dataset_batch(&b, idx, DN, &m, &sd, 0, NULL, y, lb) == HANT_OK, "batch");
    HT_CHECK(hant_dataset_batch(&b, idx, 0, &m, &sd, 0, NULL, NULL, NULL) == HANT_OK, "an empty batch");
    hant_dataset_free(ctx, &b);
    HT_CHECK(hant_dataset_open_dir(ctx, di, "train", 10, &a) == HANT_OK, "reopen");
    HT_CHECK(hant_dataset_batch(&a, idx, DN, &m, &sd, 0, NULL, x, la) == HANT_OK && !memcmp(x, y, sizeof x), "NHWC1 differs");
    hant_dataset_free(ctx, &a);
    /* a missing split names both layouts; a bad split name is refused */
    HT_CHECK(hant_dataset_open_dir(ctx, dn, "test", 10, &a) == HANT_ERR_IO && strstr(hant_last_error(), "test_images.npy") && strstr(hant_last_error(), "t10k-images-idx3-ubyte"),
             "missing split: %s", hant_last_error());
    HT_CHECK(hant_dataset_open_dir(ctx, dn, "val", 10, &a) == HANT_ERR_INVALID_ARG, "split 'val'");
    /* .npy images without their labels file */
    snprintf(cmd, sizeof cmd, "rm %s", q);
    HT_CHECK(system(cmd) == 0, "rm");
    HT_CHECK(hant_dataset_open_dir(ctx, dn, "train", 10, &a) == HANT_ERR_IO && strstr(hant_last_error(), "train_labels.npy"), "no labels: %s", hant_last_error());
    /* the model check names the file and the shapes the model takes */
    HT_CHECK(hant_dataset_open_dir(ctx, di, "train", 10, &a) == HANT_OK, "reopen");
    hant_arch arch;
    hant_arch_builtin("b0-224", &arch);
    HT_CHECK(hant_dataset_check(&a, &arch) == HANT_ERR_FORMAT && strstr(hant_last_error(), "train-images-idx3-ubyte") && strstr(hant_last_error(), "224x224x3") &&
             strstr(hant_last_error(), "uint8 [N, 224, 224, 3]") && strstr(hant_last_error(), "float32 [N, 3, 224, 224]"), "check: %s", hant_last_error());
    hant_arch_builtin("b0-fm", &arch);
    HT_CHECK(hant_dataset_check(&a, &arch) == HANT_OK, "b0-fm takes 28x28x1: %s", hant_last_error());
    arch.in_std[0] = 0;
    HT_CHECK(hant_dataset_check(&a, &arch) == HANT_ERR_FORMAT && strstr(hant_last_error(), "std"), "std 0: %s", hant_last_error());
    hant_dataset_free(ctx, &a);
}

/* Every hostile file fails with HANT_ERR_FORMAT (or IO / VERSION) and a
   message, never a crash or a set. */
static void expect_fail(const char *what, const char *ip, const char *lp, int classes, const char *needle) {
    hant_dataset d;
    memset(&d, 0x5A, sizeof d);
    hant_status st = hant_dataset_load(ctx, ip, lp, classes, &d);
    HT_CHECK(st != HANT_OK && d.file == NULL && d.images == NULL && d.labels == NULL, "%s: accepted (status %d)", what, st);
    HT_CHECK(!needle || strstr(hant_last_error(), needle), "%s: message '%s' lacks '%s'", what, hant_last_error(), needle);
    if (st == HANT_OK) hant_dataset_free(ctx, &d);
}

static void test_hostile(void) {
    char ip[300], lp[300], gp[300];
    path_in(ip, sizeof ip, "h_images.npy"); path_in(lp, sizeof lp, "h_labels.npy"); path_in(gp, sizeof gp, "h_good.npy");
    write_u8_set(gp, lp);
    static unsigned char buf[N * H * W * C * 8];
    memset(buf, 0, sizeof buf);
    long long s4[4] = { N, H, W, C }, s5[5] = { N, H, W, C, 1 }, s2[2] = { N, H * W * C }, sl[1] = { N };
    npy_write(ip, "<i8", 4, s4, buf, (size_t)N * H * W * C * 8); expect_fail("int64 images", ip, lp, 4, "uint8 [N, H, W, C] or float32");
    npy_write(ip, "<f8", 4, s4, buf, (size_t)N * H * W * C * 8); expect_fail("float64 images", ip, lp, 4, "dtype");
    npy_write(ip, "|b1", 4, s4, buf, (size_t)N * H * W * C); expect_fail("bool images", ip, lp, 4, "dtype");
    npy_write(ip, "|u1", 2, s2, buf, (size_t)N * H * W * C); expect_fail("rank 2", ip, lp, 4, "dimensions");
    npy_write(ip, "|u1", 5, s5, buf, (size_t)N * H * W * C); expect_fail("rank 5", ip, lp, 4, "dimensions");
    long long s8c[4] = { N, H, W, 8 }, snchw[4] = { N, 3, H, W }, snhwc[4] = { N, H, W, 3 }, s0[4] = { 0, H, W, C };
    npy_write(ip, "|u1", 4, s8c, buf, (size_t)N * H * W * 8); expect_fail("8 uint8 channels", ip, lp, 4, "C 1..4");
    npy_write(ip, "|u1", 4, snchw, buf, (size_t)N * H * W * 3); expect_fail("uint8 NCHW", ip, lp, 4, "transpose(0, 2, 3, 1)");
    npy_write(ip, "<f4", 4, snhwc, buf, (size_t)N * H * W * 3 * 4); expect_fail("float32 NHWC", ip, lp, 4, "transpose(0, 3, 1, 2)");
    npy_write(ip, "|u1", 4, s0, buf, 0); expect_fail("no images", ip, lp, 4, "empty");
    npy_raw(ip, "{'descr': '|u1', 'fortran_order': True, 'shape': (5, 6, 7, 3), }", buf, (size_t)N * H * W * C, 0); expect_fail("fortran_order", ip, lp, 4, "fortran_order");
    npy_raw(ip, "{'descr': '>f4', 'fortran_order': False, 'shape': (5, 3, 6, 7), }", buf, (size_t)N * H * W * C * 4, 0); expect_fail("big-endian float", ip, lp, 4, "big-endian");
    /* header too long (version 2 allows 4 GiB), and a length past the end of the file */
    {
        FILE *f = fopen(ip, "wb");
        unsigned char p[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0x10, 0 };
        fwrite(p, 1, 12, f);
        fputs("{'descr': '|u1', 'fortran_order': False, 'shape': (5, 6, 7, 3), }", f);
        fclose(f);
        expect_fail("header length 1 MiB", ip, lp, 4, "header length");
        p[10] = 0; p[9] = 0x10;
        f = fopen(ip, "wb"); fwrite(p, 1, 12, f); fputs("{'descr': '|u1', ", f); fclose(f);
        expect_fail("header past the end", ip, lp, 4, "truncated header");
    }
    /* a version-2 header is fine */
    npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 6, 7, 3), }", buf, (size_t)N * H * W * C, 1);
    hant_dataset d;
    HT_CHECK(hant_dataset_load(ctx, ip, lp, 4, &d) == HANT_OK, "version 2: %s", hant_last_error());
    hant_dataset_free(ctx, &d);
    /* shapes whose products overflow 64 bits, and 32 */
    npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296, 1, 1), }", buf, 16, 0); expect_fail("product 2^64", ip, lp, 4, "overflows 64 bits");
    npy_raw(ip, "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 1, 1, 1), }", buf, 16, 0); expect_fail("bytes 2^64", ip, lp, 4, "overflows 64 bits");
    npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999, 1, 1, 1), }", buf, 16, 0); expect_fail("dimension past 2^64", ip, lp, 4, NULL);
    npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, 'shape': (65536, 65536, 1, 1), }", buf, 16, 0); expect_fail("product 2^32, short file", ip, lp, 4, "data bytes");
    /* sparse files of the sizes the shapes claim: counts and image sizes past 32 bits */
    {
        npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, 'shape': (2147483648, 1, 1, 1), }", NULL, 0, 0);
        FILE *f = fopen(ip, "r+b");
        int ok = f && ftruncate(fileno(f), 128 + 2147483648ll) == 0;
        if (f) fclose(f);
        if (ok) expect_fail("2^31 images", ip, NULL, 0, "at most");
        npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 65536, 65536, 1), }", NULL, 0, 0);
        f = fopen(ip, "r+b");
        ok = f && ftruncate(fileno(f), 128 + 4294967296ll) == 0;
        if (f) fclose(f);
        if (ok) expect_fail("an image of 2^32 pixels", ip, NULL, 0, "too large");
        remove(ip);
    }
    npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, -6, 7, 3), }", buf, 16, 0); expect_fail("negative dimension", ip, lp, 4, "bad shape");
    npy_raw(ip, "{'descr': '|u1', 'fortran_order': False, }", buf, 16, 0); expect_fail("no shape", ip, lp, 4, "shape");
    /* truncated at every length */
    size_t n = 0;
    {
        FILE *f = fopen(gp, "rb");
        static unsigned char good[4096];
        n = fread(good, 1, sizeof good, f);
        fclose(f);
        int bad = 0;
        for (size_t len = 0; len < n; len += 5) {
            FILE *g = fopen(ip, "wb");
            fwrite(good, 1, len, g);
            fclose(g);
            hant_dataset e;
            if (hant_dataset_load(ctx, ip, lp, 4, &e) == HANT_OK) { bad++; hant_dataset_free(ctx, &e); }
        }
        HT_CHECK(!bad, "%d truncations accepted", bad);
        FILE *g = fopen(ip, "wb"); fwrite(good, 1, n, g); fputc(0, g); fclose(g);
        expect_fail("one byte too many", ip, lp, 4, "data bytes");
    }
    /* labels */
    unsigned char lab[N * 8];
    long long sl6[1] = { N + 1 }, sl2[2] = { N, 1 };
    for (int i = 0; i < N; i++) put_i64(lab + 8 * i, i % 4);
    npy_write(lp, "<i8", 1, sl6, lab, sizeof lab); expect_fail("6 labels for 5 images (short)", gp, lp, 4, "data bytes");
    {
        unsigned char lab6[(N + 1) * 8] = { 0 };
        npy_write(lp, "<i8", 1, sl6, lab6, sizeof lab6); expect_fail("6 labels for 5 images", gp, lp, 4, "holds 5 images");
    }
    npy_write(lp, "<i8", 2, sl2, lab, sizeof lab); expect_fail("labels [N, 1]", gp, lp, 4, "one dimension");
    npy_write(lp, "<f4", 1, sl, lab, N * 4); expect_fail("float labels", gp, lp, 4, "float32");
    npy_raw(lp, "{'descr': '>i8', 'fortran_order': False, 'shape': (5,), }", lab, sizeof lab, 0); expect_fail("big-endian labels", gp, lp, 4, "big-endian");
    put_i64(lab + 8 * 3, 4);
    npy_write(lp, "<i8", 1, sl, lab, sizeof lab); expect_fail("label 4 with 4 classes", gp, lp, 4, "out of range");
    put_i64(lab + 8 * 3, -1);
    npy_write(lp, "<i8", 1, sl, lab, sizeof lab); expect_fail("label -1", gp, lp, 4, "label -1 of item 3");
    put_i64(lab + 8 * 3, 1ll << 40);
    npy_write(lp, "<i8", 1, sl, lab, sizeof lab); expect_fail("label 2^40", gp, lp, 0, "out of range");
    int32_t l32[N] = { 0, 1, 2, 3, 7 };
    npy_write(lp, "<i4", 1, sl, l32, sizeof l32); expect_fail("int32 label 7 with 4 classes", gp, lp, 4, "item 4");
    expect_fail("missing labels", gp, "/nonexistent/labels.npy", 4, "cannot open");
    expect_fail("missing images", "/nonexistent/images.npy", NULL, 4, "cannot open");
    npy_write(ip, "|u1", 4, s4, buf, (size_t)N * H * W * C);
    HT_CHECK(hant_dataset_load(ctx, gp, NULL, 4, &d) == HANT_OK, "images without labels: %s", hant_last_error());
    hant_dataset_free(ctx, &d);
}

/* ---- fixtures for tests/cli_data.sh ---- */

static int make_set(const char *d, int ntr, int nte, int h, int w, int c, int k, int f32) {
    static const float colour[8][4] = { { 1, 0, 0, 1 }, { 0, 1, 0, 0 }, { 0, 0, 1, 1 }, { 1, 1, 0, 0 }, { 0, 1, 1, 1 }, { 1, 0, 1, 0 }, { .5f, .5f, .5f, 1 }, { 0, 0, 0, 1 } };
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
    if (system(cmd) != 0) return 1;
    ht_seed(12345);
    for (int split = 0; split < 2; split++) {
        int n = split ? nte : ntr;
        if (!n) continue;
        size_t per = (size_t)h * w * c;
        unsigned char *img = malloc(per * n * (f32 ? 4 : 1)), *lab = malloc(8 * (size_t)n);
        if (!img || !lab) return 1;
        for (int i = 0; i < n; i++) {
            int y = (int)(ht_u64() % (unsigned)k);
            put_i64(lab + 8 * (size_t)i, y);
            for (int yy = 0; yy < h; yy++)
                for (int xx = 0; xx < w; xx++)
                    for (int ch = 0; ch < c; ch++) {
                        unsigned char v = (unsigned char)(colour[y % 8][ch % 4] * 150.0f + ht_uniform(0, 105));
                        if (f32) { /* the same pixel, normalised as the tiny model's mean and std say */
                            float z = (v / 255.0f - 0.5f) / 0.25f;
                            memcpy(img + 4 * (((size_t)i * c + ch) * h * w + (size_t)yy * w + xx), &z, 4);
                        } else img[(size_t)i * per + ((size_t)yy * w + xx) * c + ch] = v;
                    }
        }
        char p[600];
        long long s[4] = { n, f32 ? c : h, f32 ? h : w, f32 ? w : c }, sl[1] = { n };
        snprintf(p, sizeof p, "%s/%s_images.npy", d, split ? "test" : "train");
        npy_write(p, f32 ? "<f4" : "|u1", 4, s, img, per * n * (f32 ? 4 : 1));
        snprintf(p, sizeof p, "%s/%s_labels.npy", d, split ? "test" : "train");
        npy_write(p, "<i8", 1, sl, lab, 8 * (size_t)n);
        free(img); free(lab);
    }
    return 0;
}

static int make_model(const char *path, int h, int w, int c, int k) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = h; a.in_w = w; a.in_c = c; a.num_classes = k; a.bn_eps = 1e-3f;
    for (int i = 0; i < c && i < 4; i++) { a.in_mean[i] = 0.5f; a.in_std[i] = 0.25f; }
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 2; a.stem_act = HANT_ACT_RELU;
    a.head_cout = 32; a.head_act = HANT_ACT_RELU;
    const int cin[3] = { 8, 16, 16 }, cout[3] = { 16, 16, 24 }, stride[3] = { 2, 1, 2 };
    a.num_blocks = 3;
    for (int i = 0; i < 3; i++) {
        hant_block_spec *b = &a.blocks[i];
        b->kind = HANT_BLOCK_MBCONV; b->cin = cin[i]; b->cout = cout[i]; b->expansion = 3; b->kernel = 3; b->stride = stride[i];
        b->act = HANT_ACT_RELU; b->groups = 1;
    }
    hant_net *net;
    if (hant_net_create(ctx, &a, 1, &net) || hant_net_save(net, path)) { fprintf(stderr, "%s\n", hant_last_error()); return 1; }
    hant_net_destroy(net);
    return 0;
}

static int top1(const char *logits, const char *labels) {
    float *z;
    int nd;
    int64_t s[8];
    int32_t *lab = NULL;
    if (hant_npy_load(ctx, logits, &z, &nd, s) || nd != 2 || hant__load_labels(ctx, labels, logits, (int)s[0], 0, &lab)) {
        fprintf(stderr, "top1: %s\n", hant_last_error());
        return 1;
    }
    int correct = 0;
    for (int64_t i = 0; i < s[0]; i++) {
        int best = 0;
        for (int c = 1; c < s[1]; c++) if (z[i * s[1] + c] > z[i * s[1] + best]) best = c;
        correct += best == lab[i];
    }
    printf("top1 %.4f\n", (double)correct / (double)s[0]);
    hant_free(ctx, z); hant_free(ctx, lab);
    return 0;
}

int main(int argc, char **argv) {
    hant_config cfg = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&cfg, &ctx)) { printf("0 passed, 1 failed\n"); return 1; }
    if (argc >= 9 && !strcmp(argv[1], "--make-set")) {
        int rc = make_set(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]), atoi(argv[8]), argc > 9 && !strcmp(argv[9], "f32"));
        hant_context_destroy(ctx);
        return rc;
    }
    if (argc == 7 && !strcmp(argv[1], "--make-model")) {
        int rc = make_model(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
        hant_context_destroy(ctx);
        return rc;
    }
    if (argc == 4 && !strcmp(argv[1], "--top1")) {
        int rc = top1(argv[2], argv[3]);
        hant_context_destroy(ctx);
        return rc;
    }
    HT_INIT(argc, argv);
    snprintf(dir, sizeof dir, "/tmp/hant_test_data_%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) { printf("0 passed, 1 failed\n"); return 1; }
    HT_RUN(test_u8_nhwc);
    HT_RUN(test_f32_nchw);
    HT_RUN(test_augment);
    HT_RUN(test_dirs);
    HT_RUN(test_hostile);
    hant_context_destroy(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return HT_SUMMARY();
}
