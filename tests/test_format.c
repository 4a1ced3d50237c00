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
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 16, 4, 5, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0 },
                            { HANT_BLOCK_FUSED_MBCONV, 16, 16, 2, 3, 1, 0.25f, HANT_ACT_RELU, 1, 0, 0 },
                            { HANT_BLOCK_CONV, 16, 24, 1, 3, 2, 0.0f, HANT_ACT_RELU6, 2, 0, 0 },
                            { HANT_BLOCK_IDENTITY, 24, 24, 1, 1, 1, 0.0f, HANT_ACT_NONE, 1, 0, 0 } };
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
    memcpy(p, good, n); put32(p + 96 + HANT__BLOCK_BYTES * 4, 999999); fix_crc(p, n);
    expect_load("param count", p, n, HANT_ERR_FORMAT, "param_count");
    memcpy(p, good, n); p[n / 2] ^= 0x40;
    expect_load("flipped bit", p, n, HANT_ERR_CHECKSUM, "checksum");
    memcpy(p, good, n); put32(p + 96 + HANT__BLOCK_BYTES * 4 + 16 + 40, 0x7fc00000u); fix_crc(p, n); /* NaN in params */
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


/* ---- parts, signatures, pools, latency tables ---- */
static void test_signatures_canonical(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    static hant_block_spec pool[HANT_POOL_MAX];
    int total = 0;
    for (int b = 0; b < a.num_blocks; b++) {
        int h, w, n;
        hant_arch_block_input(&a, b, &h, &w, NULL);
        HT_CHECK(hant_pool_generate(&a.blocks[b], h, w, "full", pool, HANT_POOL_MAX, &n) == HANT_OK, "full pool: %s", hant_last_error());
        HT_CHECK(n >= 100, "block %d: full pool has %d candidates", b, n);
        total += n;
        for (int i = 0; i < n; i++) {
            char s1[256], s2[256];
            hant_block_spec back;
            int bh, bw;
            HT_CHECK(hant_block_signature(&pool[i], h, w, s1, sizeof s1) == HANT_OK, "signature");
            HT_CHECK(hant_block_parse(s1, &back, &bh, &bw) == HANT_OK, "parse '%s': %s", s1, hant_last_error());
            HT_CHECK(hant_block_signature(&back, bh, bw, s2, sizeof s2) == HANT_OK && !strcmp(s1, s2), "'%s' -> '%s'", s1, s2);
            for (int j = 0; j < i; j++) { /* distinct candidates, distinct keys */
                hant_block_signature(&pool[j], h, w, s2, sizeof s2);
                HT_CHECK(strcmp(s1, s2), "block %d: candidates %d and %d share '%s'", b, i, j, s1);
            }
        }
        HT_CHECK(hant_pool_generate(&a.blocks[b], h, w, "quick", pool, HANT_POOL_MAX, &n) == HANT_OK && n >= 10 && n <= 14, "quick pool: %d", n);
        int nq;
        HT_CHECK(hant_pool_generate(&a.blocks[b], h, w, "quick+q8", pool, HANT_POOL_MAX, &nq) == HANT_OK && nq == 2 * n - (pool[1].kind == HANT_BLOCK_IDENTITY),
                 "block %d: quick+q8 has %d, quick %d", b, nq, n);
        for (int i = n; i < nq; i++) HT_CHECK(pool[i].quant == HANT_QUANT_INT8 && pool[i].kind != HANT_BLOCK_IDENTITY, "twin %d", i);
    }
    HT_CHECK(total == 1833, "full pool over b0-fm: %d candidates (1,833 in docs)", total);
    /* fields that do not apply take fixed values: equal blocks, equal text */
    hant_block_spec x, y;
    memset(&x, 0, sizeof x);
    x.kind = HANT_BLOCK_IDENTITY; x.cin = x.cout = 8; x.stride = 1;
    y = x; y.expansion = 6; y.kernel = 5; y.act = HANT_ACT_SILU; y.se_ratio = 0.25f;
    char s1[256], s2[256];
    hant_block_signature(&x, 4, 4, s1, sizeof s1);
    hant_block_signature(&y, 4, 4, s2, sizeof s2);
    HT_CHECK(!strcmp(s1, s2), "identity keys differ: '%s' vs '%s'", s1, s2);
    hant_block_spec t;
    int n;
    HT_CHECK(hant_pool_generate(&a.blocks[1], 28, 28, "mbconv:e=2:k=4", pool, HANT_POOL_MAX, &n) != HANT_OK, "even kernel accepted");
    HT_CHECK(hant_pool_generate(&a.blocks[1], 28, 28, "warp:e=2", pool, HANT_POOL_MAX, &n) != HANT_OK && strstr(hant_last_error(), "warp"), "unknown term");
    HT_CHECK(hant_block_parse("mbconv cin=8 cout=8 e=1 k=4 s=1 se=0 act=relu g=1 hw=4x4", &t, NULL, NULL) != HANT_OK, "bad block parsed");
    HT_CHECK(hant_block_parse("mbconv cin=8", &t, NULL, NULL) == HANT_ERR_FORMAT, "short signature parsed");
}

/* A part run on its own computes what it computes inside the whole network. */
static void test_parts_match_whole(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    a.num_blocks = 4;
    hant_net *net;
    HT_CHECK(hant_net_create(ctx, &a, 3, &net) == HANT_OK, "create");
    size_t np, nb;
    float *p = hant_net_param_data(net, &np), *bu = hant_net_buffer_data(net, &nb);
    for (size_t i = 0; i < nb; i++) bu[i] = 0.5f + (float)(i % 7) * 0.1f; /* non-trivial running stats */
    size_t sump = 0, sumb = 0;
    for (int part = HANT_PART_STEM; part <= a.num_blocks; part++) {
        hant_part_layout l;
        HT_CHECK(hant_arch_part_layout(&a, part, &l) == HANT_OK && l.param_offset == sump && l.buffer_offset == sumb, "part %d offsets", part);
        sump += l.param_count; sumb += l.buffer_count;
    }
    HT_CHECK(sump == np && sumb == nb, "parts cover %zu/%zu params, %zu/%zu buffers", sump, np, sumb, nb);
    float x[28 * 28], y1[10], y2[10], *cur = malloc(sizeof(float) * 28 * 28 * 32), *nxt = malloc(sizeof(float) * 28 * 28 * 96);
    for (int i = 0; i < 28 * 28; i++) x[i] = (float)((i * 37) % 19) / 19.0f - 0.5f;
    HT_CHECK(hant_net_forward(net, x, 1, y1) == HANT_OK, "whole");
    memcpy(cur, x, sizeof x);
    for (int part = HANT_PART_STEM; part <= a.num_blocks; part++) {
        hant_arch sub;
        hant_part_layout l;
        hant_net *pn;
        HT_CHECK(hant_arch_part(&a, part, &sub) == HANT_OK && hant_arch_part_layout(&a, part, &l) == HANT_OK, "part %d", part);
        HT_CHECK(hant_net_create(ctx, &sub, 1, &pn) == HANT_OK, "create part %d: %s", part, hant_last_error());
        size_t qp, qb;
        memcpy(hant_net_param_data(pn, &qp), p + l.param_offset, l.param_count * 4);
        memcpy(hant_net_buffer_data(pn, &qb), bu + l.buffer_offset, l.buffer_count * 4);
        HT_CHECK(qp == l.param_count && qb == l.buffer_count, "part %d sizes", part);
        HT_CHECK(hant_net_forward(pn, cur, 1, part == a.num_blocks ? y2 : nxt) == HANT_OK, "part forward");
        if (part < a.num_blocks) { float *t = cur; cur = nxt; nxt = t; }
        hant_net_destroy(pn);
    }
    for (int k = 0; k < 10; k++) HT_CHECK(HT_CLOSE(y1[k], y2[k], 1e-5, 1e-4), "logit %d: whole %g, parts %g", k, y1[k], y2[k]);
    free(cur); free(nxt);
    hant_net_destroy(net);
}

static void test_lut_roundtrip_and_errors(void) {
    const char *path = "build/test_lut.tsv";
    hant_lut lut, back;
    memset(&lut, 0, sizeof lut);
    lut.threads = 2; lut.batch = 1;
    snprintf(lut.cpu, sizeof lut.cpu, "test cpu"); snprintf(lut.cache, sizeof lut.cache, "warm");
    hant_timing t = { 0.125, 0.002, 0.12, 15, 0, 0 };
    HT_CHECK(hant_lut_set(&lut, "conv cin=8 b=1 t=2 p=fp32", &t) == HANT_OK, "set");
    t.median_ms = 0.5;
    HT_CHECK(hant_lut_set(&lut, "head cin=8 b=1 t=2 p=fp32", &t) == HANT_OK, "set");
    t.median_ms = -1;
    HT_CHECK(hant_lut_set(&lut, "stem b=1 t=2 p=fp32", &t) != HANT_OK, "negative latency accepted");
    HT_CHECK(hant_lut_set(&lut, "param-overhead b=1 t=2 p=fp32", &t) == HANT_OK, "a bias term may be negative");
    HT_CHECK(hant_lut_set(&lut, "tab\there", &t) != HANT_OK, "key with a tab accepted");
    HT_CHECK(hant_lut_save(&lut, path) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_lut_load(path, &back) == HANT_OK, "load: %s", hant_last_error());
    HT_CHECK(back.count == 3 && back.threads == 2 && !strcmp(back.cpu, "test cpu"), "header/entries after a round trip");
    const hant_lut_entry *e = hant_lut_find(&back, "head cin=8 b=1 t=2 p=fp32");
    HT_CHECK(e && e->t.median_ms == 0.5 && e->t.reps == 15, "entry after a round trip");
    /* resume: a table grows in place, old entries kept */
    t.median_ms = 0.25;
    HT_CHECK(hant_lut_set(&back, "conv cin=16 b=1 t=2 p=fp32", &t) == HANT_OK && hant_lut_save(&back, path) == HANT_OK, "resave");
    hant_lut_free(&back);
    HT_CHECK(hant_lut_load(path, &back) == HANT_OK && back.count == 4 && hant_lut_find(&back, "conv cin=8 b=1 t=2 p=fp32"), "resumed table");
    hant_lut_free(&back);
    hant_lut_free(&lut);
    /* malformed tables: the error names the line */
    static const struct { const char *text, *needle; } bad[] = {
        { "not a table\n", ":1:" },
        { "# hant latency table v1\nkey\tmedian\n", ":2:" },
        { "# hant latency table v1\n# cpu\tx\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\nconv\t0.1\t0\t0.1\n", ":4:" },
        { "# hant latency table v1\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\nconv\t0.1\t0\t0.1\t5\nhead\tnan\t0\t0\t5\n", ":4:" },
        { "# hant latency table v1\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\nconv\t0.1x\t0\t0.1\t5\n", ":3:" },
        { "# hant latency table v1\nkey\tmedian_ms\tmad_ms\tmin_ms\treps\nconv\t1e300\t0\t0.1\t5\n", ":3:" },
        { "# hant latency table v1\n", "column" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(bad[i].text, f);
        fclose(f);
        hant_status st = hant_lut_load(path, &back);
        HT_CHECK(st == HANT_ERR_FORMAT && strstr(hant_last_error(), bad[i].needle), "bad table %zu: status %d, '%s'", i, st, hant_last_error());
    }
    HT_CHECK(hant_lut_load("build/no-such-table.tsv", &back) == HANT_ERR_IO, "missing file");
    remove(path);
}


/* ---- format v2: int8 blocks, the tiled flag, version 1 files ---- */
/* small_net with block 1 (fused e=2, 2 quantisation points) int8 and block 0
   (MBConv) tiled: a block is one or the other; calibrated on random images. */
static hant_net *int8_net(uint64_t seed, int calibrate) {
    hant_net *f = small_net(seed);
    if (!f) return NULL;
    hant_arch a = *hant_net_arch(f);
    a.blocks[0].tiled = 1; a.blocks[1].quant = HANT_QUANT_INT8;
    hant_net *q = NULL;
    if (hant_net_create(ctx, &a, seed, &q)) { hant_net_destroy(f); return NULL; }
    size_t np, nb, fp, fb;
    float *qp = hant_net_param_data(q, &np), *qb = hant_net_buffer_data(q, &nb);
    memcpy(qp, hant_net_param_data(f, &fp), np * 4);
    memcpy(qb, hant_net_buffer_data(f, &fb), nb * 4);
    hant_net_destroy(f);
    if (calibrate) {
        float x[16 * 100];
        ht_fill(x, 16 * 100, -1, 1);
        if (hant_net_calibrate(q, x, 16, 99.9)) { hant_net_destroy(q); return NULL; }
    }
    return q;
}

static void test_int8_roundtrip(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/q.hant", dir);
    hant_net *net = int8_net(4, 1), *back = NULL;
    HT_CHECK(net != NULL, "int8 net: %s", hant_last_error());
    if (!net) return;
    HT_CHECK(hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_net_load(ctx, path, &back) == HANT_OK, "load: %s", hant_last_error());
    if (!back) { hant_net_destroy(net); return; }
    const hant_arch *a = hant_net_arch(back);
    HT_CHECK(!a->blocks[0].quant && a->blocks[0].tiled == 1 && a->blocks[1].quant == HANT_QUANT_INT8 && !a->blocks[1].tiled &&
             !a->blocks[2].quant && !a->blocks[3].quant, "block flags lost");
    for (int b = 0; b < 2; b++) {
        hant_qparams q1[3], q2[3];
        int c1, c2;
        hant_net_block_qparams(net, b, q1, 3, &c1);
        hant_net_block_qparams(back, b, q2, 3, &c2);
        HT_CHECK(c1 == 2 * b && c1 == c2 && !memcmp(q1, q2, sizeof(hant_qparams) * (size_t)c1), "block %d: quantisation parameters differ", b);
    }
    float x[3 * 100], y1[3 * 5], y2[3 * 5];
    ht_fill(x, 300, -1, 1);
    HT_CHECK(hant_net_forward(net, x, 3, y1) == HANT_OK && hant_net_forward(back, x, 3, y2) == HANT_OK && !memcmp(y1, y2, sizeof y1),
             "int8 outputs differ after a round trip");
    /* an uncalibrated int8 net saves with count 0, loads, and refuses to run */
    hant_net *raw = int8_net(4, 0), *rb = NULL;
    HT_CHECK(raw && hant_net_save(raw, path) == HANT_OK && hant_net_load(ctx, path, &rb) == HANT_OK, "uncalibrated round trip: %s", hant_last_error());
    HT_CHECK(rb && hant_net_forward(rb, x, 1, y2) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "not calibrated"), "uncalibrated int8 net ran");
    hant_net_destroy(raw); hant_net_destroy(rb);
    hant_net_destroy(net); hant_net_destroy(back);
}

/* A version-1 file (36-byte blocks, no flags, no int8 section), made from a
   v2 save by hand, loads into the same network. */
static void test_v1_still_loads(void) {
    char path[300], p1[300];
    snprintf(path, sizeof path, "%s/v2.hant", dir);
    snprintf(p1, sizeof p1, "%s/v1.hant", dir);
    hant_net *net = small_net(6), *back = NULL;
    HT_CHECK(net && hant_net_save(net, path) == HANT_OK, "save");
    size_t n;
    unsigned char *v2 = read_all(path, &n), *v1 = malloc(n);
    if (!v2 || !v1) { HT_CHECK(0, "read"); hant_net_destroy(net); free(v2); free(v1); return; }
    HT_CHECK(hant__get_u32(v2 + 8) == 2, "saved version %u", hant__get_u32(v2 + 8));
    int nb = hant__get_i32(v2 + 92);
    size_t m = 0;
    memcpy(v1, v2, 96); m = 96;
    put32(v1 + 8, 1);
    for (int b = 0; b < nb; b++) {
        HT_CHECK(hant__get_u32(v2 + 96 + 40 * b + 36) == 0, "fp32 block %d has flags", b);
        memcpy(v1 + m, v2 + 96 + 40 * b, 36); m += 36;
    }
    size_t rest = n - 96 - 40 * (size_t)nb; /* counts, floats, crc */
    memcpy(v1 + m, v2 + 96 + 40 * (size_t)nb, rest); m += rest;
    fix_crc(v1, m);
    write_all(p1, v1, m);
    HT_CHECK(hant_net_load(ctx, p1, &back) == HANT_OK, "v1 load: %s", hant_last_error());
    if (back) {
        size_t a1, a2;
        float *P1 = hant_net_param_data(net, &a1), *P2 = hant_net_param_data(back, &a2);
        HT_CHECK(a1 == a2 && !memcmp(P1, P2, a1 * 4), "v1 parameters differ");
        HT_CHECK(!memcmp(hant_net_arch(net), hant_net_arch(back), sizeof(hant_arch)), "v1 architecture differs");
    }
    hant_net_destroy(back);
    hant_net_destroy(net);
    free(v1); free(v2);
}

/* How many truncations of good to lengths [from, n) load without HANT_ERR_FORMAT. */
static int truncations_accepted(const unsigned char *good, size_t from, size_t n, const char *name) {
    int bad = 0;
    for (size_t len = from; len < n; len++) {
        char tp[300];
        snprintf(tp, sizeof tp, "%s/%s", dir, name);
        write_all(tp, good, len);
        hant_net *t = NULL;
        if (hant_net_load(ctx, tp, &t) != HANT_ERR_FORMAT || t) bad++;
        hant_net_destroy(t);
    }
    return bad;
}

static void test_hostile_int8(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/q8good.hant", dir);
    hant_net *net = int8_net(8, 1);
    HT_CHECK(net && hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    hant_net_destroy(net);
    size_t n;
    unsigned char *good = read_all(path, &n), *p = malloc(n + 16);
    if (!good || !p) { HT_CHECK(0, "read"); free(good); free(p); return; }
    /* int8 section: block 1 (count 2, 2 pairs), then the crc */
    size_t sec = n - 4 - (4 + 16);
    HT_CHECK(hant__get_u32(good + sec) == 2 && hant__get_u32(good + 96 + 36) == 2 && hant__get_u32(good + 96 + 40 + 36) == 1, "section layout");
    int bad = truncations_accepted(good, sec - 8, n, "q8trunc.hant"); /* every truncation around and inside the section */
    HT_CHECK(bad == 0, "%d truncations of the int8 section not rejected", bad);
    memcpy(p, good, n); put32(p + 96 + 36, 4); fix_crc(p, n);
    expect_load("unknown flag bit", p, n, HANT_ERR_FORMAT, "unknown bits");
    memcpy(p, good, n); put32(p + 96 + 36, 3); fix_crc(p, n);
    expect_load("int8 and tiled", p, n, HANT_ERR_FORMAT, "not both");
    memcpy(p, good, n); put32(p + 96 + 40 * 3 + 36, 1); fix_crc(p, n);
    expect_load("int8 identity", p, n, HANT_ERR_FORMAT, "nothing to quantise");
    memcpy(p, good, n); put32(p + sec, 1000000); fix_crc(p, n);
    expect_load("huge count", p, n, HANT_ERR_FORMAT, "quantisation points");
    memcpy(p, good, n); put32(p + sec, 3); fix_crc(p, n);
    expect_load("wrong count", p, n, HANT_ERR_FORMAT, "quantisation points");
    memcpy(p, good, n); put32(p + sec + 4, 0x7fc00000u); fix_crc(p, n);
    expect_load("NaN scale", p, n, HANT_ERR_NONFINITE, "scale");
    memcpy(p, good, n); put32(p + sec + 12, 0x7f800000u); fix_crc(p, n);
    expect_load("Inf scale", p, n, HANT_ERR_NONFINITE, "scale");
    memcpy(p, good, n); put32(p + sec + 4, 0); fix_crc(p, n);
    expect_load("zero scale", p, n, HANT_ERR_FORMAT, "scale");
    memcpy(p, good, n); put32(p + sec + 4, 0xbf800000u); fix_crc(p, n);
    expect_load("negative scale", p, n, HANT_ERR_FORMAT, "scale");
    memcpy(p, good, n); put32(p + sec + 8, 256); fix_crc(p, n);
    expect_load("zero point 256", p, n, HANT_ERR_FORMAT, "zero point");
    memcpy(p, good, n); put32(p + sec + 16, 0xffffffffu); fix_crc(p, n);
    expect_load("zero point -1", p, n, HANT_ERR_FORMAT, "zero point");
    memcpy(p, good, n); p[sec + 5] ^= 1;
    expect_load("flipped bit in the int8 section", p, n, HANT_ERR_CHECKSUM, "checksum");
    /* a version-1 header in front of v2 blocks: sizes disagree, a clean error */
    memcpy(p, good, n); put32(p + 8, 1); fix_crc(p, n);
    hant_net *t = NULL;
    snprintf(path, sizeof path, "%s/q8v1.hant", dir);
    write_all(path, p, n);
    HT_CHECK(hant_net_load(ctx, path, &t) != HANT_OK && !t, "v2 body under a v1 header loaded");
    hant_net_destroy(t);
    free(good); free(p);
}

/* An int8 head: header flag bit 0, and one more entry (count 1) at the end
   of the int8 section. */
static void test_int8_head_file(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/qhead.hant", dir);
    hant_net *f = small_net(12), *net = NULL, *back = NULL;
    if (!f) { HT_CHECK(0, "small net"); return; }
    hant_arch a = *hant_net_arch(f);
    a.blocks[1].quant = HANT_QUANT_INT8; a.head_quant = HANT_QUANT_INT8;
    HT_CHECK(hant_net_create(ctx, &a, 12, &net) == HANT_OK, "create: %s", hant_last_error());
    if (!net) { hant_net_destroy(f); return; }
    size_t np, nb, fp, fb;
    float *fpar = hant_net_param_data(f, &fp), *fbuf = hant_net_buffer_data(f, &fb);
    memcpy(hant_net_param_data(net, &np), fpar, fp * 4);
    memcpy(hant_net_buffer_data(net, &nb), fbuf, fb * 4);
    hant_net_destroy(f);
    float x[16 * 100], y1[3 * 5], y2[3 * 5];
    ht_fill(x, 16 * 100, -1, 1);
    HT_CHECK(hant_net_calibrate(net, x, 16, 99.9) == HANT_OK, "calibrate: %s", hant_last_error());
    HT_CHECK(hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_net_load(ctx, path, &back) == HANT_OK, "load: %s", hant_last_error());
    if (back) {
        HT_CHECK(hant_net_arch(back)->head_quant == HANT_QUANT_INT8, "head flag lost");
        hant_qparams q1[3], q2[3];
        int c1 = 0, c2 = 0;
        hant_net_block_qparams(net, 4, q1, 3, &c1);
        hant_net_block_qparams(back, 4, q2, 3, &c2);
        HT_CHECK(c1 == 1 && c2 == 1 && !memcmp(q1, q2, sizeof q1[0]), "head quantisation parameters: %d, %d points", c1, c2);
        HT_CHECK(hant_net_forward(net, x, 3, y1) == HANT_OK && hant_net_forward(back, x, 3, y2) == HANT_OK && !memcmp(y1, y2, sizeof y1),
                 "int8-head outputs differ after a round trip");
    }
    hant_net_destroy(net); hant_net_destroy(back);
    size_t n;
    unsigned char *good = read_all(path, &n), *p = malloc(n);
    if (!good || !p) { HT_CHECK(0, "read"); free(good); free(p); return; }
    size_t head = n - 4 - 12; /* the head's entry: count 1, one pair; then the crc */
    HT_CHECK(hant__get_u32(good + 12) == 1 && hant__get_u32(good + head) == 1, "layout: flags %u, head count %u", hant__get_u32(good + 12), hant__get_u32(good + head));
    memcpy(p, good, n); put32(p + 12, 3); fix_crc(p, n);
    expect_load("unknown header flag", p, n, HANT_ERR_FORMAT, "header flags");
    memcpy(p, good, n); put32(p + 12, 0); fix_crc(p, n);
    expect_load("head section without the flag", p, n, HANT_ERR_FORMAT, "trailing bytes");
    memcpy(p, good, n); put32(p + head, 2); fix_crc(p, n);
    expect_load("head count 2", p, n, HANT_ERR_FORMAT, "head, part 4");
    memcpy(p, good, n); put32(p + head + 4, 0x7fc00000u); fix_crc(p, n);
    expect_load("head NaN scale", p, n, HANT_ERR_NONFINITE, "scale");
    int bad = truncations_accepted(good, head, n, "qhtrunc.hant");
    HT_CHECK(bad == 0, "%d truncations of the head entry not rejected", bad);
    free(good); free(p);
}

static void test_signature_tokens(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    char s[256], s2[256];
    int h, w;
    hant_arch_block_input(&a, 3, &h, &w, NULL);
    /* fp32 keys are exactly what they were before the int8 and tiled fields */
    HT_CHECK(hant_block_signature(&a.blocks[3], h, w, s, sizeof s) == HANT_OK &&
             !strcmp(s, "mbconv cin=24 cout=40 e=6 k=5 s=2 se=0.25 act=silu g=1 hw=14x14"), "fp32 signature '%s'", s);
    uint64_t h0 = hant_arch_hash(&a);
    hant_block_spec b = a.blocks[3], back;
    b.quant = HANT_QUANT_INT8;
    hant_block_signature(&b, h, w, s, sizeof s);
    HT_CHECK(!strcmp(s, "mbconv cin=24 cout=40 e=6 k=5 s=2 se=0.25 act=silu g=1 hw=14x14 q=int8"), "int8 signature '%s'", s);
    int bh, bw;
    HT_CHECK(hant_block_parse(s, &back, &bh, &bw) == HANT_OK && back.quant == HANT_QUANT_INT8 && !back.tiled, "parse: %s", hant_last_error());
    hant_block_signature(&back, bh, bw, s2, sizeof s2);
    HT_CHECK(!strcmp(s, s2), "round trip '%s' -> '%s'", s, s2);
    b.tiled = 1;
    hant_block_signature(&b, h, w, s, sizeof s);
    HT_CHECK(!strcmp(s, "mbconv cin=24 cout=40 e=6 k=5 s=2 se=0.25 act=silu g=1 hw=14x14 q=int8 tile=1"), "both tokens '%s'", s);
    HT_CHECK(hant_block_parse(s, &back, NULL, NULL) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "not both"), "int8 and tiled parsed");
    b.quant = 0;
    hant_block_signature(&b, h, w, s, sizeof s);
    HT_CHECK(hant_block_parse(s, &back, NULL, NULL) == HANT_OK && !back.quant && back.tiled, "tile only: '%s'", s);
    HT_CHECK(hant_block_parse("mbconv cin=24 cout=40 e=6 k=5 s=2 se=0.25 act=silu g=1 hw=14x14 q=int4", &back, NULL, NULL) == HANT_ERR_FORMAT, "q=int4 parsed");
    HT_CHECK(hant_block_parse("mbconv cin=24 cout=40 e=6 k=5 s=2 se=0.25 act=silu g=1 hw=14x14 tile=1 q=int8", &back, NULL, NULL) == HANT_ERR_FORMAT, "tokens out of order parsed");
    HT_CHECK(hant_block_parse("identity cin=24 cout=24 e=1 k=1 s=1 se=0 act=none g=1 hw=14x14 q=int8", &back, NULL, NULL) != HANT_OK, "int8 identity parsed");
    a.blocks[3].quant = HANT_QUANT_INT8;
    HT_CHECK(hant_arch_hash(&a) != h0, "int8 block does not change the arch hash");
    a.blocks[3].quant = 0;
    HT_CHECK(hant_arch_hash(&a) == h0, "hash not restored");
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
    HT_RUN(test_int8_roundtrip);
    HT_RUN(test_v1_still_loads);
    HT_RUN(test_hostile_int8);
    HT_RUN(test_int8_head_file);
    HT_RUN(test_signature_tokens);
    HT_RUN(test_signatures_canonical);
    HT_RUN(test_parts_match_whole);
    HT_RUN(test_lut_roundtrip_and_errors);
    HT_RUN(test_save_is_atomic);
    HT_RUN(test_npy);
    hant_context_destroy(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return HT_SUMMARY();
}
