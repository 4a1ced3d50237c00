/* .hant and .npy files: round trips, and hostile files rejected with an
   error that names the field, never a crash. */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"
#include <unistd.h>

static hant_context *ctx;
static char dir[256];

static unsigned char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)len + 1);
    *n = fread(p, 1, (size_t)len, f);
    fclose(f);
    return p;
}
static void write_all(const char *path, const unsigned char *p, size_t n) {
    FILE *f = fopen(path, "wb");
    fwrite(p, 1, n, f);
    fclose(f);
}
static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
/* Recomputes the trailing CRC so that a test reaches the check after it. */
static void fix_crc(unsigned char *p, size_t n) { put32(p + n - 4, hant__crc32(0, p, n - 4)); }

static hant_net *small_net(uint64_t seed) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 10; a.in_w = 10; a.in_c = 1; a.num_classes = 5; a.bn_eps = 1e-3f;
    a.in_mean[0] = 0.5f; a.in_std[0] = 0.25f;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_SILU;
    a.head_cout = 32; a.head_act = HANT_ACT_HSWISH;
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 16, 4, 5, 2, 0.25f, HANT_ACT_SILU, 1 },
                            { HANT_BLOCK_FUSED_MBCONV, 16, 16, 2, 3, 1, 0.25f, HANT_ACT_RELU, 1 },
                            { HANT_BLOCK_CONV, 16, 24, 1, 3, 2, 0.0f, HANT_ACT_RELU6, 2 },
                            { HANT_BLOCK_IDENTITY, 24, 24, 1, 1, 1, 0.0f, HANT_ACT_NONE, 1 } };
    a.num_blocks = 4;
    for (int i = 0; i < 4; i++) a.blocks[i] = b[i];
    hant_net *net = NULL;
    if (hant_net_create(ctx, &a, seed, &net)) return NULL;
    size_t nb;
    float *B = hant_net_buffer_data(net, &nb);
    ht_seed(seed);
    for (size_t i = 0; i < nb; i++) B[i] = ht_uniform(0.1f, 1.5f); /* running stats: means and positive variances */
    return net;
}

static void test_roundtrip_bit_exact(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/a.hant", dir);
    hant_net *net = small_net(1), *back = NULL;
    HT_CHECK(net != NULL, "create");
    HT_CHECK(hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_net_load(ctx, path, &back) == HANT_OK, "load: %s", hant_last_error());
    if (!back) { hant_net_destroy(net); return; }
    float x[3 * 100], y1[15], y2[15];
    ht_fill(x, 300, -1, 1);
    hant_net_forward(net, x, 3, y1);
    hant_net_forward(back, x, 3, y2);
    HT_CHECK(memcmp(y1, y2, sizeof y1) == 0, "outputs differ after a round trip");
    size_t n1, n2;
    float *p1 = hant_net_param_data(net, &n1), *p2 = hant_net_param_data(back, &n2);
    HT_CHECK(n1 == n2 && memcmp(p1, p2, n1 * 4) == 0, "params differ");
    HT_CHECK(memcmp(hant_net_arch(net), hant_net_arch(back), sizeof(hant_arch)) == 0, "arch differs");
    /* no temporary left behind */
    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    HT_CHECK(access(tmp, F_OK) != 0, "temporary file left behind");
    hant_net_destroy(net);
    hant_net_destroy(back);
}

static void test_builtin_roundtrip(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/b0.hant", dir);
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    hant_net *net, *back = NULL;
    HT_CHECK(hant_net_create(ctx, &a, 42, &net) == HANT_OK, "create");
    HT_CHECK(hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_net_load(ctx, path, &back) == HANT_OK, "load: %s", hant_last_error());
    if (back) {
        HT_CHECK(hant_net_params(back) == 4019782, "params after load");
        float x[784 * 2], y1[20], y2[20];
        ht_fill(x, 784 * 2, -1, 1);
        hant_net_forward(net, x, 2, y1);
        hant_net_forward(back, x, 2, y2);
        HT_CHECK(memcmp(y1, y2, sizeof y1) == 0, "b0-fm outputs differ after a round trip");
        hant_net_destroy(back);
    }
    hant_net_destroy(net);
}

/* Loads a mutated copy and expects `want` with `needle` in the message. */
static void expect_load(const char *what, const unsigned char *p, size_t n, hant_status want, const char *needle) {
    char path[300];
    snprintf(path, sizeof path, "%s/bad.hant", dir);
    write_all(path, p, n);
    hant_net *net = NULL;
    hant_status st = hant_net_load(ctx, path, &net);
    HT_CHECK(st == want, "%s: status %d (%s) want %d: %s", what, st, hant_status_string(st), want, hant_last_error());
    HT_CHECK(!needle || strstr(hant_last_error(), needle), "%s: message '%s' lacks '%s'", what, hant_last_error(), needle);
    HT_CHECK(st != HANT_OK || net, "%s: ok without a net", what);
    if (net) hant_net_destroy(net);
}

static void test_hostile_models(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/good.hant", dir);
    hant_net *net = small_net(2);
    hant_net_save(net, path);
    hant_net_destroy(net);
    size_t n;
    unsigned char *good = read_all(path, &n), *p = malloc(n + 16);
    HT_CHECK(good && n > 200, "read back");
    if (!good) return;
    /* every truncation: a clean error, never a crash */
    int bad = 0;
    for (size_t len = 0; len < n; len += (len < 300 ? 1 : 97)) {
        char tp[300];
        snprintf(tp, sizeof tp, "%s/trunc.hant", dir);
        write_all(tp, good, len);
        hant_net *t = NULL;
        hant_status st = hant_net_load(ctx, tp, &t);
        if (st != HANT_ERR_FORMAT || t) bad++;
        if (t) hant_net_destroy(t);
    }
    HT_CHECK(bad == 0, "%d truncations not rejected as malformed", bad);
    memcpy(p, good, n); p[0] = 'X';
    expect_load("magic", p, n, HANT_ERR_FORMAT, "magic");
    memcpy(p, good, n); put32(p + 8, 99);
    expect_load("version", p, n, HANT_ERR_VERSION, "version 99");
    memcpy(p, good, n); put32(p + 92, 1000000);
    expect_load("num_blocks", p, n, HANT_ERR_FORMAT, "num_blocks");
    memcpy(p, good, n); put32(p + 96 + 16, 4); fix_crc(p, n);
    expect_load("even kernel", p, n, HANT_ERR_FORMAT, "kernel");
    memcpy(p, good, n); put32(p + 96 + 4, 9); fix_crc(p, n);
    expect_load("cin mismatch", p, n, HANT_ERR_FORMAT, "block 0");
    memcpy(p, good, n); put32(p + 16, 0x7fffffff); fix_crc(p, n);
    expect_load("huge input", p, n, HANT_ERR_FORMAT, "input size");
    memcpy(p, good, n); put32(p + 96 + 36 * 4, 999999); fix_crc(p, n);
    expect_load("param count", p, n, HANT_ERR_FORMAT, "param_count");
    memcpy(p, good, n); p[n / 2] ^= 0x40;
    expect_load("flipped bit", p, n, HANT_ERR_CHECKSUM, "checksum");
    memcpy(p, good, n); put32(p + 96 + 36 * 4 + 16 + 40, 0x7fc00000u); fix_crc(p, n); /* NaN in params */
    expect_load("NaN parameter", p, n, HANT_ERR_NONFINITE, "params[");
    memcpy(p, good, n); put32(p + n - 8, 0xbf800000u); fix_crc(p, n);            /* last running var = -1 */
    expect_load("negative variance", p, n, HANT_ERR_FORMAT, "variance");
    memcpy(p, good, n); p[n] = 0; memmove(p + n - 3, p + n - 4, 4); p[n - 4] = 0;
    expect_load("trailing byte", p, n + 1, HANT_ERR_FORMAT, NULL);
    hant_net *none = NULL;
    HT_CHECK(hant_net_load(ctx, "/nonexistent/x.hant", &none) == HANT_ERR_IO && strstr(hant_last_error(), "/nonexistent/x.hant"), "missing file");
    free(good); free(p);
}

static void test_save_is_atomic(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/keep.hant", dir);
    hant_net *net = small_net(3);
    HT_CHECK(hant_net_save(net, path) == HANT_OK, "save");
    size_t n1, n2;
    unsigned char *before = read_all(path, &n1);
    /* a model with a NaN is refused, and the old file stays whole */
    size_t np;
    float *P = hant_net_param_data(net, &np);
    P[5] = NAN;
    HT_CHECK(hant_net_save(net, path) == HANT_ERR_NONFINITE, "NaN model saved");
    unsigned char *after = read_all(path, &n2);
    HT_CHECK(n1 == n2 && memcmp(before, after, n1) == 0, "old model damaged by a failed save");
    HT_CHECK(hant_net_save(net, "/nonexistent/dir/m.hant") != HANT_OK, "save into a missing directory");
    free(before); free(after);
    hant_net_destroy(net);
}

static void test_npy(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/x.npy", dir);
    float x[2 * 3 * 5];
    for (int i = 0; i < 30; i++) x[i] = (float)i - 7.5f;
    int64_t shape[3] = { 2, 3, 5 }, got[8];
    HT_CHECK(hant_npy_save(path, x, 3, shape) == HANT_OK, "save: %s", hant_last_error());
    float *y = NULL;
    int nd;
    HT_CHECK(hant_npy_load(ctx, path, &y, &nd, got) == HANT_OK, "load: %s", hant_last_error());
    HT_CHECK(nd == 3 && got[0] == 2 && got[1] == 3 && got[2] == 5, "shape");
    HT_CHECK(y && memcmp(x, y, sizeof x) == 0, "data");
    hant_free(ctx, y);
    size_t n;
    unsigned char *good = read_all(path, &n), *p = malloc(n + 8);
    HT_CHECK(good && n % 64 == 120 % 64, "header padded to 64 bytes (len %zu)", n);
    /* hand-made headers around the same 30 floats */
    struct { const char *what, *dict; } subs[] = {
        { "float64", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 5), }" },
        { "big-endian", "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3, 5), }" },
        { "fortran", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 5), }" },
        { "shape too big", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999, 99999999, 5), }" },
        { "shape mismatch", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 6), }" },
        { "bad shape", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x, 5), }" },
        { "no shape", "{'descr': '<f4', 'fortran_order': False, }" },
        { "9 dims", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 2, 3, 5), }" },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        size_t dl = strlen(subs[i].dict), hl = (dl + 1 + 10 + 63) / 64 * 64 - 10;
        unsigned char *q = malloc(10 + hl + sizeof x);
        memcpy(q, "\x93NUMPY\x01\x00", 8);
        q[8] = (unsigned char)(hl & 255); q[9] = (unsigned char)(hl >> 8);
        memset(q + 10, ' ', hl);
        memcpy(q + 10, subs[i].dict, dl);
        q[10 + hl - 1] = '\n';
        memcpy(q + 10 + hl, x, sizeof x);
        write_all(path, q, 10 + hl + sizeof x);
        free(q);
        float *z = NULL;
        hant_status st = hant_npy_load(ctx, path, &z, &nd, got);
        HT_CHECK(st == HANT_ERR_FORMAT && !z, "%s: status %d: %s", subs[i].what, st, hant_last_error());
    }
    memcpy(p, good, n); p[0] = 0;
    write_all(path, p, n);
    HT_CHECK(hant_npy_load(ctx, path, &y, &nd, got) == HANT_ERR_FORMAT && strstr(hant_last_error(), "magic"), "magic");
    memcpy(p, good, n); p[6] = 9;
    write_all(path, p, n);
    HT_CHECK(hant_npy_load(ctx, path, &y, &nd, got) == HANT_ERR_VERSION, "version");
    memcpy(p, good, n); put32(p + n - 8, 0x7fc00000u);
    write_all(path, p, n);
    HT_CHECK(hant_npy_load(ctx, path, &y, &nd, got) == HANT_ERR_NONFINITE && strstr(hant_last_error(), "element 28"), "NaN: %s", hant_last_error());
    for (size_t len = 0; len < n; len += 7) {
        write_all(path, good, len);
        float *z = NULL;
        hant_status st = hant_npy_load(ctx, path, &z, &nd, got);
        HT_CHECK(st != HANT_OK && !z, "truncated at %zu accepted", len);
    }
    HT_CHECK(hant_npy_load(ctx, "/nonexistent.npy", &y, &nd, got) == HANT_ERR_IO, "missing");
    free(good); free(p);
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    snprintf(dir, sizeof dir, "/tmp/hant_test_format_%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) { printf("0 passed, 1 failed\n"); return 1; }
    hant_config cfg = { 2, 0, { 0 } };
    if (hant_context_create(&cfg, &ctx)) { printf("0 passed, 1 failed\n"); return 1; }
    HT_RUN(test_roundtrip_bit_exact);
    HT_RUN(test_builtin_roundtrip);
    HT_RUN(test_hostile_models);
    HT_RUN(test_save_is_atomic);
    HT_RUN(test_npy);
    hant_context_destroy(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return HT_SUMMARY();
}
