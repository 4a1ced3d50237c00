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

static hant_block_spec mk_block(hant_block_kind kind, int cin, int cout, int e, int k, int s, float se, hant_act act) {
    hant_block_spec b;
    memset(&b, 0, sizeof b);
    b.kind = kind; b.cin = cin; b.cout = cout; b.expansion = e; b.kernel = k; b.stride = s; b.se_ratio = se; b.act = act; b.groups = 1;
    return b;
}

static hant_net *small_net(uint64_t seed) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 10; a.in_w = 10; a.in_c = 1; a.num_classes = 5; a.bn_eps = 1e-3f;
    a.in_mean[0] = 0.5f; a.in_std[0] = 0.25f;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_SILU;
    a.head_cout = 32; a.head_act = HANT_ACT_HSWISH;
    hant_block_spec b[] = { { HANT_BLOCK_MBCONV, 8, 16, 4, 5, 2, 0.25f, HANT_ACT_SILU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_FUSED_MBCONV, 16, 16, 2, 3, 1, 0.25f, HANT_ACT_RELU, 1, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_CONV, 16, 24, 1, 3, 2, 0.0f, HANT_ACT_RELU6, 2, 0, 0, 0, 0, 0, 0 },
                            { HANT_BLOCK_IDENTITY, 24, 24, 1, 1, 1, 0.0f, HANT_ACT_NONE, 1, 0, 0, 0, 0, 0, 0 } };
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

/* A part run on its own computes what it computes inside the whole network:
   the layouts tile the flat parameters and buffers, and chaining the parts'
   outputs gives the whole network's logits. */
static void check_parts_match_whole(const hant_arch *a) {
    hant_net *net;
    HT_CHECK(hant_net_create(ctx, a, 3, &net) == HANT_OK, "create: %s", hant_last_error());
    if (!net) return;
    size_t np, nb;
    float *p = hant_net_param_data(net, &np), *bu = hant_net_buffer_data(net, &nb);
    for (size_t i = 0; i < nb; i++) bu[i] = 0.5f + (float)(i % 7) * 0.1f; /* non-trivial running stats */
    size_t sump = 0, sumb = 0, big = (size_t)a->in_h * a->in_w * a->in_c;
    for (int part = a->stem_cout ? HANT_PART_STEM : 0; part <= a->num_blocks; part++) {
        hant_part_layout l;
        HT_CHECK(hant_arch_part_layout(a, part, &l) == HANT_OK && l.param_offset == sump && l.buffer_offset == sumb, "part %d offsets", part);
        sump += l.param_count; sumb += l.buffer_count;
        hant_arch sub;
        if (part < a->num_blocks && !hant_arch_part(a, part, &sub)) {
            hant_net *pn = NULL;
            if (!hant_net_create(ctx, &sub, 1, &pn)) { size_t o = (size_t)hant_net_output_size(pn); if (o > big) big = o; }
            hant_net_destroy(pn);
        }
    }
    HT_CHECK(sump == np && sumb == nb, "parts cover %zu/%zu params, %zu/%zu buffers", sump, np, sumb, nb);
    int k = a->num_classes;
    float *x = malloc(sizeof(float) * (size_t)a->in_h * a->in_w * a->in_c), *y1 = malloc(sizeof(float) * (size_t)k), *y2 = malloc(sizeof(float) * (size_t)k);
    float *cur = malloc(sizeof(float) * big), *nxt = malloc(sizeof(float) * big);
    for (int i = 0; i < a->in_h * a->in_w * a->in_c; i++) x[i] = (float)((i * 37) % 19) / 19.0f - 0.5f;
    HT_CHECK(hant_net_forward(net, x, 1, y1) == HANT_OK, "whole");
    memcpy(cur, x, sizeof(float) * (size_t)a->in_h * a->in_w * a->in_c);
    for (int part = a->stem_cout ? HANT_PART_STEM : 0; part <= a->num_blocks; part++) {
        hant_arch sub;
        hant_part_layout l;
        hant_net *pn = NULL;
        HT_CHECK(hant_arch_part(a, part, &sub) == HANT_OK && hant_arch_part_layout(a, part, &l) == HANT_OK, "part %d", part);
        HT_CHECK(hant_net_create(ctx, &sub, 1, &pn) == HANT_OK, "create part %d: %s", part, hant_last_error());
        if (!pn) break;
        size_t qp, qb;
        memcpy(hant_net_param_data(pn, &qp), p + l.param_offset, l.param_count * 4);
        memcpy(hant_net_buffer_data(pn, &qb), bu + l.buffer_offset, l.buffer_count * 4);
        HT_CHECK(qp == l.param_count && qb == l.buffer_count, "part %d sizes", part);
        HT_CHECK(hant_net_forward(pn, cur, 1, part == a->num_blocks ? y2 : nxt) == HANT_OK, "part forward");
        if (part < a->num_blocks) { float *t = cur; cur = nxt; nxt = t; }
        hant_net_destroy(pn);
    }
    for (int i = 0; i < k; i++) HT_CHECK(HT_CLOSE(y1[i], y2[i], 1e-5, 1e-4), "logit %d: whole %g, parts %g", i, y1[i], y2[i]);
    free(x); free(y1); free(y2); free(cur); free(nxt);
    hant_net_destroy(net);
}

static void test_parts_match_whole(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    a.num_blocks = 4;
    check_parts_match_whole(&a);
}

/* The same for an imported-style net: the stem part ends after its max-pool,
   the head part holds the hidden FC; ResNet and MobileNetV3 blocks. */
static void test_parts_match_whole_v3(void) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 32; a.in_w = 30; a.in_c = 3; a.num_classes = 5; a.bn_eps = 1e-5f;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 2; a.stem_act = HANT_ACT_RELU; a.stem_pool = 3;
    a.head_cout = 24; a.head_act = HANT_ACT_HSWISH; a.head_hidden = 32; a.head_hidden_act = HANT_ACT_HSWISH;
    hant_block_spec m = mk_block(HANT_BLOCK_MBCONV, 16, 16, 1, 3, 1, 0.0f, HANT_ACT_HSWISH);
    m.hidden = 20; m.se_width = 6; m.se_act = HANT_ACT_RELU; m.se_gate = HANT_ACT_HSIGMOID;
    a.blocks[0] = mk_block(HANT_BLOCK_RESNET_BASIC, 8, 8, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    a.blocks[1] = mk_block(HANT_BLOCK_RESNET_BASIC, 8, 16, 1, 3, 2, 0.0f, HANT_ACT_RELU);
    a.blocks[2] = mk_block(HANT_BLOCK_RESNET_BOTTLENECK, 16, 16, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    a.blocks[3] = m;
    a.blocks[4] = mk_block(HANT_BLOCK_IDENTITY, 16, 16, 1, 1, 1, 0.0f, HANT_ACT_NONE);
    a.num_blocks = 5;
    int h, w, c;
    hant_arch_block_input(&a, 0, &h, &w, &c);
    HT_CHECK(h == 8 && w == 8 && c == 8, "after stem and max-pool: %dx%dx%d (32x30 -> 16x15 -> 8x8)", h, w, c);
    hant_arch s;
    HT_CHECK(hant_arch_part(&a, HANT_PART_STEM, &s) == HANT_OK && s.stem_pool == 3, "stem part without its pool");
    HT_CHECK(hant_arch_part(&a, a.num_blocks, &s) == HANT_OK && s.head_hidden == 32 && s.head_hidden_act == HANT_ACT_HSWISH, "head part without its hidden FC");
    hant_part_layout l;
    HT_CHECK(hant_arch_part_layout(&a, a.num_blocks, &l) == HANT_OK && l.param_count == 16 * 24 + 2 * 24 + 24 * 32 + 32 + 32 * 5 + 5 && l.buffer_count == 48,
             "head layout: %zu params", l.param_count);
    check_parts_match_whole(&a);
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

/* ---- format v3: the fields of imported networks ---- */
/* A MobileNetV3-style net: stem with max-pool, an MBConv whose hidden width
   (20) is no multiple of cin (8) with a 6-wide hard-sigmoid SE, identity,
   conv, and a head with a hidden FC. Random running statistics. */
static hant_net *v3_net(uint64_t seed) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 16; a.in_w = 16; a.in_c = 3; a.num_classes = 5; a.bn_eps = 1e-3f;
    for (int i = 0; i < 3; i++) { a.in_mean[i] = 0.4f; a.in_std[i] = 0.25f; }
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_HSWISH; a.stem_pool = 3;
    a.head_cout = 24; a.head_act = HANT_ACT_HSWISH; a.head_hidden = 32; a.head_hidden_act = HANT_ACT_HSWISH;
    hant_block_spec m;
    memset(&m, 0, sizeof m);
    m.kind = HANT_BLOCK_MBCONV; m.cin = 8; m.cout = 16; m.expansion = 2; m.kernel = 3; m.stride = 2; m.act = HANT_ACT_HSWISH;
    m.groups = 1; m.hidden = 20; m.se_width = 6; m.se_act = HANT_ACT_RELU; m.se_gate = HANT_ACT_HSIGMOID;
    a.blocks[0] = m;
    memset(&m, 0, sizeof m);
    m.kind = HANT_BLOCK_IDENTITY; m.cin = m.cout = 16; m.expansion = 1; m.kernel = 1; m.stride = 1; m.groups = 1;
    a.blocks[1] = m;
    m.kind = HANT_BLOCK_CONV; m.kernel = 3; m.act = HANT_ACT_RELU;
    a.blocks[2] = m;
    a.num_blocks = 3;
    hant_net *net = NULL;
    if (hant_net_create(ctx, &a, seed, &net)) return NULL;
    size_t nb;
    float *B = hant_net_buffer_data(net, &nb);
    ht_seed(seed);
    for (size_t i = 0; i < nb; i++) B[i] = ht_uniform(0.1f, 1.5f);
    return net;
}

static void test_v3_roundtrip(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/v3.hant", dir);
    hant_net *net = v3_net(21), *back = NULL;
    HT_CHECK(net != NULL, "v3 net: %s", hant_last_error());
    if (!net) return;
    HT_CHECK(hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    size_t n;
    unsigned char *raw = read_all(path, &n);
    size_t np, nbuf;
    hant_net_param_data(net, &np); hant_net_buffer_data(net, &nbuf);
    HT_CHECK(raw && hant__get_u32(raw + 8) == 3 && n == 112 + 3 * 56 + 16 + 4 * (np + nbuf) + 4,
             "a net with v3 fields is saved as version 3 with 112-byte header and 56-byte blocks");
    HT_CHECK(raw && hant__get_u32(raw + 96) == 3 && hant__get_u32(raw + 100) == 32 && hant__get_u32(raw + 104) == HANT_ACT_HSWISH && hant__get_u32(raw + 108) == 0 &&
             hant__get_u32(raw + 112 + 40) == 20 && hant__get_u32(raw + 112 + 44) == 6 && hant__get_u32(raw + 112 + 48) == HANT_ACT_RELU &&
             hant__get_u32(raw + 112 + 52) == HANT_ACT_HSIGMOID, "v3 field offsets");
    free(raw);
    HT_CHECK(hant_net_load(ctx, path, &back) == HANT_OK, "load: %s", hant_last_error());
    if (back) {
        HT_CHECK(!memcmp(hant_net_arch(net), hant_net_arch(back), sizeof(hant_arch)), "v3 architecture differs after a round trip");
        size_t a1, a2, b1, b2;
        float *P1 = hant_net_param_data(net, &a1), *P2 = hant_net_param_data(back, &a2);
        float *B1 = hant_net_buffer_data(net, &b1), *B2 = hant_net_buffer_data(back, &b2);
        HT_CHECK(a1 == a2 && b1 == b2 && !memcmp(P1, P2, a1 * 4) && !memcmp(B1, B2, b1 * 4), "v3 parameters differ");
        float x[2 * 16 * 16 * 3], y1[10], y2[10];
        ht_fill(x, sizeof x / 4, -1, 1);
        HT_CHECK(hant_net_forward(net, x, 2, y1) == HANT_OK && hant_net_forward(back, x, 2, y2) == HANT_OK && !memcmp(y1, y2, sizeof y1), "v3 outputs differ");
    }
    hant_net_destroy(back);
    /* one v3 field alone is enough to need v3; none keeps v2 */
    hant_arch a = *hant_net_arch(net);
    a.stem_pool = 0; a.head_hidden = 0; a.head_hidden_act = 0; a.stem_act = a.head_act = HANT_ACT_SILU;
    a.blocks[0].hidden = a.blocks[0].se_width = 0; a.blocks[0].se_ratio = 0.25f; a.blocks[0].se_act = a.blocks[0].se_gate = 0; a.blocks[0].act = HANT_ACT_SILU;
    HT_CHECK(hant__format_version_for(&a) == 2, "v2 fields only: version %u", hant__format_version_for(&a));
    hant_arch t = a; t.blocks[2].act = HANT_ACT_HSIGMOID;
    HT_CHECK(hant__format_version_for(&t) == 3, "hard-sigmoid needs v3");
    t = a; t.blocks[0].se_gate = HANT_ACT_HSIGMOID;
    HT_CHECK(hant__format_version_for(&t) == 3, "se_gate needs v3");
    t = a; t.blocks[0].hidden = 16;
    HT_CHECK(hant__format_version_for(&t) == 3, "hidden needs v3");
    t = a; t.head_hidden = 8;
    HT_CHECK(hant__format_version_for(&t) == 3, "head_hidden needs v3");
    t = a; t.blocks[2].kind = HANT_BLOCK_RESNET_BASIC;
    HT_CHECK(hant__format_version_for(&t) == 3, "a ResNet block needs v3");
    hant_net_destroy(net);
}

/* The shipped teacher (a v1 file) loads under the tightened loader; it saves
   as v2 (no v3 fields), which loads into the same network and saves again to
   the same bytes. */
static void test_shipped_teacher(void) {
    const char *src = "models/teacher-b0-fm.hant";
    if (access(src, R_OK) != 0) { HT_CHECK(0, "%s absent: run from the repository root", src); return; }
    char p1[300], p2[300];
    snprintf(p1, sizeof p1, "%s/teacher1.hant", dir);
    snprintf(p2, sizeof p2, "%s/teacher2.hant", dir);
    hant_net *net = NULL, *back = NULL;
    HT_CHECK(hant_net_load(ctx, src, &net) == HANT_OK, "load %s: %s", src, hant_last_error());
    if (!net) return;
    HT_CHECK(hant_net_save(net, p1) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_net_load(ctx, p1, &back) == HANT_OK, "reload: %s", hant_last_error());
    if (back) {
        size_t a1, a2;
        float *P1 = hant_net_param_data(net, &a1), *P2 = hant_net_param_data(back, &a2);
        HT_CHECK(a1 == a2 && !memcmp(P1, P2, a1 * 4) && !memcmp(hant_net_arch(net), hant_net_arch(back), sizeof(hant_arch)), "teacher changed by a save");
        HT_CHECK(hant_net_save(back, p2) == HANT_OK, "save again: %s", hant_last_error());
    }
    hant_net_destroy(net); hant_net_destroy(back);
    size_t n1 = 0, n2 = 0;
    unsigned char *a = read_all(p1, &n1), *b = read_all(p2, &n2);
    HT_CHECK(a && b && n1 == n2 && !memcmp(a, b, n1) && hant__get_u32(a + 8) == 2, "re-saved teacher: v%u, %zu vs %zu bytes", a ? hant__get_u32(a + 8) : 0, n1, n2);
    free(a); free(b);
}

/* What the network would ignore cannot be saved (and is refused on load). */
static void test_save_refuses_ignored_fields(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/ignored.hant", dir);
    hant_net *f = small_net(22);
    if (!f) { HT_CHECK(0, "small net"); return; }
    hant_arch a = *hant_net_arch(f);
    hant_net_destroy(f);
    struct { const char *what, *needle; int field; } cases[] = {
        { "identity act", "identity", 0 }, { "SE gate without SE", "without squeeze-excite", 1 },
        { "in_std slot 1 of a 1-channel input", "unused slots", 2 }, { "headless net with head_cout", "headless", 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hant_arch t = a;
        if (cases[i].field == 0) t.blocks[3].act = HANT_ACT_SILU;
        if (cases[i].field == 1) { t.blocks[0].se_ratio = 0; t.blocks[0].se_gate = HANT_ACT_HSIGMOID; }
        if (cases[i].field == 2) t.in_std[1] = 1.0f;
        if (cases[i].field == 3) { t.num_classes = 0; t.head_act = HANT_ACT_NONE; t.head_quant = 0; }
        hant_net *net = NULL;
        if (hant_net_create(ctx, &t, 1, &net)) { HT_CHECK(0, "%s: create: %s", cases[i].what, hant_last_error()); continue; }
        remove(path);
        hant_status st = hant_net_save(net, path);
        HT_CHECK(st == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), cases[i].needle) && strstr(hant_last_error(), "not saved"), "%s: save gave %d: %s",
                 cases[i].what, st, hant_last_error());
        HT_CHECK(access(path, F_OK) != 0, "%s: a file was written", cases[i].what);
        hant_net_destroy(net);
    }
}

static void test_hostile_v3(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/v3good.hant", dir);
    hant_net *net = v3_net(23);
    HT_CHECK(net && hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    hant_net_destroy(net);
    size_t n;
    unsigned char *good = read_all(path, &n), *p = malloc(n + 16);
    if (!good || !p) { HT_CHECK(0, "read"); free(good); free(p); return; }
    /* every truncation up to the floats, then sparser */
    int bad = 0;
    for (size_t len = 0; len < n; len += (len < 400 ? 1 : 61)) {
        char tp[300];
        snprintf(tp, sizeof tp, "%s/v3trunc.hant", dir);
        write_all(tp, good, len);
        hant_net *t = NULL;
        if (hant_net_load(ctx, tp, &t) != HANT_ERR_FORMAT || t) bad++;
        hant_net_destroy(t);
    }
    HT_CHECK(bad == 0, "%d truncations of a v3 file not rejected as malformed", bad);
    const size_t B0 = 112, B1 = 112 + 56, B2 = 112 + 112; /* block entries: MBConv, identity, conv */
    struct { const char *what; size_t off; uint32_t v; const char *needle; } m[] = {
        { "stem_pool 2", 96, 2, "stem_pool" },
        { "stem_pool -1", 96, 0xffffffffu, "stem_pool" },
        { "head_hidden -1", 100, 0xffffffffu, "head_hidden" },
        { "head_hidden huge", 100, 0x7fffffffu, "head_hidden" },
        { "head_hidden_act 7", 104, 7, "head_hidden_act" },
        { "head_hidden_act -1", 104, 0xffffffffu, "head_hidden_act" },
        { "reserved word", 108, 1, "reserved" },
        { "stem_act 7", 76, 7, "stem_act" },
        { "kind 7", B0, 7, "kind = 7" },
        { "kind -1", B0, 0xffffffffu, "kind" },
        { "act 7", B0 + 28, 7, "act = 7" },
        { "hidden -1", B0 + 40, 0xffffffffu, "hidden" },
        { "hidden 70000", B0 + 40, 70000, "hidden" },
        { "expansion 0 beside hidden", B0 + 12, 0, "expansion" },
        { "expansion 17 beside hidden", B0 + 12, 17, "expansion" },
        { "se_gate relu", B0 + 52, HANT_ACT_RELU, "se_gate" },
        { "se_width -5", B0 + 44, (uint32_t)-5, "se_width" },
        { "se_width 1<<30", B0 + 44, 1u << 30, "se_width" },
        { "se_act 7", B0 + 48, 7, "se_act" },
        { "se_act -2", B0 + 48, (uint32_t)-2, "se_act" },
        { "se_gate 99", B0 + 52, 99, "se_gate" },
        { "groups 2 on an MBConv", B0 + 32, 2, "groups" },
        { "identity hidden", B1 + 40, 4, "hidden" },
        { "identity SE width", B1 + 44, 4, "squeeze-excite" },
        { "identity se_gate", B1 + 52, HANT_ACT_HSIGMOID, "squeeze-excite" },
        { "identity act", B1 + 28, HANT_ACT_RELU, "identity" },
        { "identity kernel 3", B1 + 16, 3, "identity" },
        { "identity expansion 6", B1 + 12, 6, "expansion" },
        { "identity se_ratio", B1 + 24, 0x3e800000u, "squeeze-excite" },
        { "conv SE width", B2 + 44, 4, "squeeze-excite" },
        { "conv se_act", B2 + 48, HANT_ACT_RELU, "squeeze-excite" },
        { "conv hidden", B2 + 40, 8, "hidden" },
        { "conv expansion 4", B2 + 12, 4, "expansion" },
        { "stem_kernel without a stem", 64, 0, "no stem" },
        { "in_std slot 3 of 3 channels", 60, 0x3f800000u, "unused" },
        { "in_std 0 with a mean", 48, 0, "no normalisation" },
        { "in_std NaN", 48, 0x7fc00000u, "not finite" },
        { "in_mean Inf", 32, 0x7f800000u, "not finite" },
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        memcpy(p, good, n); put32(p + m[i].off, m[i].v); fix_crc(p, n);
        expect_load(m[i].what, p, n, HANT_ERR_FORMAT, m[i].needle);
    }
    /* head_hidden_act without a hidden layer; a headless file with head fields */
    memcpy(p, good, n); put32(p + 100, 0); fix_crc(p, n);
    expect_load("head_hidden_act alone", p, n, HANT_ERR_FORMAT, "head_hidden_act");
    memcpy(p, good, n); put32(p + 28, 0); fix_crc(p, n);
    expect_load("headless with a head", p, n, HANT_ERR_FORMAT, "headless");
    /* v3 codes and fields under a v2 header: sizes disagree or codes are unknown */
    memcpy(p, good, n); put32(p + 8, 2); fix_crc(p, n);
    snprintf(path, sizeof path, "%s/v3as2.hant", dir);
    write_all(path, p, n);
    hant_net *t = NULL;
    HT_CHECK(hant_net_load(ctx, path, &t) == HANT_ERR_FORMAT && !t, "v3 body under a v2 header: %s", hant_last_error());
    hant_net_destroy(t);
    free(good); free(p);
    /* v2 files: activation code 6 and the ResNet kinds do not exist there */
    snprintf(path, sizeof path, "%s/v2good.hant", dir);
    net = small_net(24);
    HT_CHECK(net && hant_net_save(net, path) == HANT_OK, "save");
    hant_net_destroy(net);
    good = read_all(path, &n); p = malloc(n);
    if (!good || !p) { HT_CHECK(0, "read"); free(good); free(p); return; }
    HT_CHECK(hant__get_u32(good + 8) == 2, "b0-style net saved as v%u", hant__get_u32(good + 8));
    memcpy(p, good, n); put32(p + 96 + 28, HANT_ACT_HSIGMOID); fix_crc(p, n);
    expect_load("hard-sigmoid in v2", p, n, HANT_ERR_FORMAT, "v2");
    memcpy(p, good, n); put32(p + 76, HANT_ACT_HSIGMOID); fix_crc(p, n);
    expect_load("hard-sigmoid stem in v2", p, n, HANT_ERR_FORMAT, "stem_act");
    memcpy(p, good, n); put32(p + 96, HANT_BLOCK_RESNET_BASIC); fix_crc(p, n);
    expect_load("ResNet kind in v2", p, n, HANT_ERR_FORMAT, "kind = 5");
    memcpy(p, good, n); put32(p + 96 + 40 * 2 + 24, 0x3e800000u); fix_crc(p, n);
    expect_load("conv block with se_ratio", p, n, HANT_ERR_FORMAT, "squeeze-excite");
    free(good); free(p);
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

/* A v3 file of ResNet blocks: fields that do not apply to them, widths that
   change the parameter count, and every truncation of the block table. */
static void test_hostile_resnet_file(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/resnet.hant", dir);
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = 12; a.in_w = 12; a.in_c = 3; a.num_classes = 4; a.bn_eps = 1e-5f;
    a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_RELU; a.stem_pool = 3;
    a.blocks[0] = mk_block(HANT_BLOCK_RESNET_BASIC, 8, 16, 1, 3, 2, 0.0f, HANT_ACT_RELU);
    a.blocks[1] = mk_block(HANT_BLOCK_RESNET_BOTTLENECK, 16, 16, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    a.num_blocks = 2;
    hant_net *net = NULL, *back = NULL;
    HT_CHECK(hant_net_create(ctx, &a, 41, &net) == HANT_OK && hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    HT_CHECK(hant_net_load(ctx, path, &back) == HANT_OK && !memcmp(hant_net_arch(back), &a, sizeof a), "ResNet round trip: %s", hant_last_error());
    hant_net_destroy(net); hant_net_destroy(back);
    size_t n;
    unsigned char *good = read_all(path, &n), *p = malloc(n + 16);
    if (!good || !p) { HT_CHECK(0, "read"); free(good); free(p); return; }
    HT_CHECK(hant__get_u32(good + 8) == 3, "ResNet net saved as v%u", hant__get_u32(good + 8));
    const size_t B0 = 112, B1 = 112 + 56;
    struct { const char *what; size_t off; uint32_t v; hant_status st; const char *needle; } m[] = {
        { "basic expansion 2", B0 + 12, 2, HANT_ERR_FORMAT, "expansion" },
        { "basic groups 2", B0 + 32, 2, HANT_ERR_FORMAT, "groups" },
        { "basic se_ratio", B0 + 24, 0x3e800000u, HANT_ERR_FORMAT, "squeeze-excite" },
        { "basic se_width", B0 + 44, 4, HANT_ERR_FORMAT, "squeeze-excite" },
        { "basic se_gate", B0 + 52, HANT_ACT_HSIGMOID, HANT_ERR_FORMAT, "squeeze-excite" },
        { "basic tiled", B0 + 36, 2, HANT_ERR_FORMAT, "tiled" },
        { "basic hidden 9: more parameters than stored", B0 + 40, 9, HANT_ERR_FORMAT, "param_count" },
        { "basic hidden -1", B0 + 40, 0xffffffffu, HANT_ERR_FORMAT, "hidden" },
        { "basic kernel 4", B0 + 16, 4, HANT_ERR_FORMAT, "kernel" },
        { "bottleneck cout 3, no hidden", B1 + 8, 3, HANT_ERR_FORMAT, "inner width" },
        { "bottleneck kind 7", B1, 7, HANT_ERR_FORMAT, "kind" },
        { "bottleneck act hsigmoid ok, counts unchanged", B1 + 28, HANT_ACT_HSIGMOID, HANT_OK, NULL },
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        memcpy(p, good, n); put32(p + m[i].off, m[i].v); fix_crc(p, n);
        expect_load(m[i].what, p, n, m[i].st, m[i].needle);
    }
    HT_CHECK(truncations_accepted(good, 0, 112 + 2 * 56 + 24, "rtrunc.hant") == 0, "truncations of the ResNet file accepted");
    free(good); free(p);
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

/* Every key of the shipped latency table is what the current code writes:
   the new optional tokens left b0-fm's keys byte-identical. */
static void test_lut_keys_unchanged(void) {
    hant_lut lut;
    if (hant_lut_load("bench/lut-b0-fm.tsv", &lut)) { HT_CHECK(0, "bench/lut-b0-fm.tsv: %s (run from the repository root)", hant_last_error()); return; }
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    static hant_block_spec pool[HANT_POOL_MAX];
    char sig[256], key[256], back[256];
    int found = 0, rows = 0;
    for (int p = HANT_PART_STEM; p <= a.num_blocks; p++) {
        hant_part_signature(&a, p, sig, sizeof sig);
        hant_lut_key(key, sizeof key, sig, 1, 2, "fp32");
        HT_CHECK(hant_lut_find(&lut, key) != NULL, "part %d: '%s' not in the table", p, key);
        if (p < 0 || p == a.num_blocks) continue;
        int h, w, n;
        hant_arch_block_input(&a, p, &h, &w, NULL);
        hant_pool_generate(&a.blocks[p], h, w, "quick", pool, HANT_POOL_MAX, &n);
        for (int i = 0; i < n; i++) {
            if (pool[i].kind == HANT_BLOCK_IDENTITY) continue;
            hant_block_signature(&pool[i], h, w, sig, sizeof sig);
            hant_lut_key(key, sizeof key, sig, 1, 2, "fp32");
            found += hant_lut_find(&lut, key) != NULL;
        }
    }
    HT_CHECK(found >= 100, "only %d quick-pool keys of b0-fm found in the table", found);
    for (int i = 0; i < lut.count; i++) { /* block rows: parse and sign again */
        const char *k = lut.entries[i].key, *tail = strstr(k, " b=");
        if (!tail || !strchr("mfc", k[0])) continue;
        snprintf(sig, sizeof sig, "%.*s", (int)(tail - k), k);
        hant_block_spec b;
        int h, w;
        rows++;
        HT_CHECK(hant_block_parse(sig, &b, &h, &w) == HANT_OK && hant_block_signature(&b, h, w, back, sizeof back) == HANT_OK && !strcmp(sig, back),
                 "table key '%s' -> '%s'", sig, back);
    }
    HT_CHECK(rows == 144, "%d block rows", rows);
    snprintf(key, sizeof key, "net arch=%016llx b=1 t=2 p=fp32", (unsigned long long)hant_arch_hash(&a));
    HT_CHECK(hant_lut_find(&lut, key) != NULL, "b0-fm's hash changed: '%s' not in the table", key);
    hant_lut_free(&lut);
}

/* sig -> parse -> sig, and parse(sig) equal to the block itself. */
static void check_sig_roundtrip(const hant_block_spec *b, int h, int w, const char *want) {
    char s[256], s2[256];
    hant_block_spec back;
    int bh = 0, bw = 0;
    HT_CHECK(hant_block_signature(b, h, w, s, sizeof s) == HANT_OK, "signature");
    HT_CHECK(!want || !strcmp(s, want), "signature '%s', want '%s'", s, want);
    HT_CHECK(hant_block_parse(s, &back, &bh, &bw) == HANT_OK, "parse '%s': %s", s, hant_last_error());
    HT_CHECK(bh == h && bw == w && !memcmp(&back, b, sizeof back), "parse('%s') differs from the block", s);
    HT_CHECK(hant_block_signature(&back, bh, bw, s2, sizeof s2) == HANT_OK && !strcmp(s, s2), "'%s' -> '%s'", s, s2);
}

/* MBConv/fused signatures with the v3 fields (needs no new engine kind). */
static void test_signature_v3_mbconv(void) {
    hant_block_spec b = mk_block(HANT_BLOCK_MBCONV, 24, 24, 4, 3, 1, 0.0f, HANT_ACT_RELU);
    b.hidden = 88; b.se_width = 24; b.se_act = HANT_ACT_RELU; b.se_gate = HANT_ACT_HSIGMOID;
    check_sig_roundtrip(&b, 14, 14, "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=88 sew=24 seact=relu gate=hsigmoid");
    b.quant = HANT_QUANT_INT8;
    check_sig_roundtrip(&b, 14, 14, "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=88 sew=24 seact=relu gate=hsigmoid q=int8");
    b.quant = 0; b.act = HANT_ACT_HSWISH; b.se_act = 0; b.se_gate = HANT_ACT_HSIGMOID; b.se_width = 0; b.se_ratio = 0.25f;
    check_sig_roundtrip(&b, 14, 14, "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0.25 act=hswish g=1 hw=14x14 hid=88 gate=hsigmoid");
    b = mk_block(HANT_BLOCK_FUSED_MBCONV, 16, 32, 3, 3, 2, 0.0f, HANT_ACT_SILU);
    b.hidden = 40;
    check_sig_roundtrip(&b, 8, 8, "fused cin=16 cout=32 e=3 k=3 s=2 se=0 act=silu g=1 hw=8x8 hid=40");
    b = mk_block(HANT_BLOCK_MBCONV, 16, 16, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    b.hidden = 72; b.expansion = 5; b.tiled = 1;
    check_sig_roundtrip(&b, 8, 8, "mbconv cin=16 cout=16 e=5 k=3 s=1 se=0 act=relu g=1 hw=8x8 hid=72 tile=1");
    /* defaults spelled out give the default key: equal blocks, equal text */
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    char s1[256], s2[256];
    hant_block_spec x = a.blocks[3], y = x;
    y.hidden = x.cin * x.expansion; y.se_width = (int)(x.cin * x.se_ratio); y.se_act = HANT_ACT_SILU; y.se_gate = HANT_ACT_SIGMOID;
    hant_block_signature(&x, 14, 14, s1, sizeof s1);
    hant_block_signature(&y, 14, 14, s2, sizeof s2);
    HT_CHECK(!strcmp(s1, s2), "spelled-out defaults change the key: '%s' vs '%s'", s1, s2);
    /* hostile or misplaced tokens */
    hant_block_spec t;
    const char *bad[] = {
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=0",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=-3",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=99999999",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=x",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 sew=8 hid=88",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 seact=relu",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0.25 act=relu g=1 hw=14x14 gate=bogus",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0.25 act=relu g=1 hw=14x14 gate=hsigmoid seact=relu",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0.25 act=relu g=1 hw=14x14 q=int8 hid=88",
        "conv cin=24 cout=24 e=1 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=8",
        "conv cin=24 cout=24 e=1 k=3 s=1 se=0 act=relu g=1 hw=14x14 sew=8",
        "identity cin=24 cout=24 e=1 k=1 s=1 se=0 act=none g=1 hw=14x14 gate=hsigmoid",
        "mbconv cin=24 cout=24 e=4 k=3 s=1 se=0 act=relu g=1 hw=14x14 hid=88 ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        HT_CHECK(hant_block_parse(bad[i], &t, NULL, NULL) != HANT_OK, "'%s' parsed", bad[i]);
    /* parts: the stem's max-pool and the head's hidden FC are in their keys and the hash */
    uint64_t h0 = hant_arch_hash(&a);
    hant_arch b3 = a;
    b3.stem_pool = 3;
    hant_part_signature(&b3, HANT_PART_STEM, s1, sizeof s1);
    HT_CHECK(!strcmp(s1, "stem cin=1 cout=32 k=3 s=1 act=silu hw=28x28 pool=3"), "stem '%s'", s1);
    HT_CHECK(hant_arch_hash(&b3) != h0, "stem pool does not change the hash");
    hant_part_signature(&b3, 0, s1, sizeof s1);
    HT_CHECK(strstr(s1, " hw=14x14"), "block 0 after the pool: '%s'", s1);
    b3 = a; b3.head_hidden = 64; b3.head_hidden_act = HANT_ACT_HSWISH;
    hant_part_signature(&b3, b3.num_blocks, s1, sizeof s1);
    HT_CHECK(!strcmp(s1, "head cin=320 cout=1280 act=silu classes=10 hw=2x2 hid=64 hidact=hswish"), "head '%s'", s1);
    HT_CHECK(hant_arch_hash(&b3) != h0, "head hidden does not change the hash");
}

/* ResNet kinds. */
static void test_signature_resnet(void) {
    hant_block_spec b = mk_block(HANT_BLOCK_RESNET_BASIC, 64, 64, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    check_sig_roundtrip(&b, 56, 56, "basic cin=64 cout=64 e=1 k=3 s=1 se=0 act=relu g=1 hw=56x56");
    b = mk_block(HANT_BLOCK_RESNET_BASIC, 64, 128, 1, 3, 2, 0.0f, HANT_ACT_RELU);
    check_sig_roundtrip(&b, 56, 56, "basic cin=64 cout=128 e=1 k=3 s=2 se=0 act=relu g=1 hw=56x56");
    b.hidden = 96;
    check_sig_roundtrip(&b, 56, 56, "basic cin=64 cout=128 e=1 k=3 s=2 se=0 act=relu g=1 hw=56x56 hid=96");
    b = mk_block(HANT_BLOCK_RESNET_BOTTLENECK, 256, 512, 1, 3, 2, 0.0f, HANT_ACT_RELU);
    check_sig_roundtrip(&b, 56, 56, "bottleneck cin=256 cout=512 e=1 k=3 s=2 se=0 act=relu g=1 hw=56x56");
    b.hidden = 64;
    check_sig_roundtrip(&b, 56, 56, "bottleneck cin=256 cout=512 e=1 k=3 s=2 se=0 act=relu g=1 hw=56x56 hid=64");
    char s1[256], s2[256];
    hant_block_spec y = b;
    b.hidden = 0; y.hidden = 128; /* cout / 4 spelled out */
    hant_block_signature(&b, 56, 56, s1, sizeof s1);
    hant_block_signature(&y, 56, 56, s2, sizeof s2);
    HT_CHECK(!strcmp(s1, s2), "bottleneck default width spelled out: '%s' vs '%s'", s1, s2);
    hant_block_spec t;
    HT_CHECK(hant_block_parse("basic cin=64 cout=64 e=1 k=3 s=1 se=0 act=relu g=1 hw=56x56 sew=8", &t, NULL, NULL) != HANT_OK, "SE on a basic block parsed");
    HT_CHECK(hant_block_parse("bottleneck cin=64 cout=64 e=1 k=3 s=1 se=0 act=relu g=1 hw=56x56 seact=relu", &t, NULL, NULL) != HANT_OK, "seact on a bottleneck parsed");
}

/* Checks a pool: out[0] is the teacher (every field), every candidate keeps
   the teacher's input/output shape, keys are distinct and parse back to the
   candidate. Returns the number of candidates of `kind` with hidden == hid
   (hid < 0: any). */
static int check_pool(const hant_block_spec *t, int h, int w, const char *spec, int *count, hant_block_kind kind, int hid) {
    static hant_block_spec pool[HANT_POOL_MAX];
    int n = 0, found = 0;
    HT_CHECK(hant_pool_generate(t, h, w, spec, pool, HANT_POOL_MAX, &n) == HANT_OK, "%s: %s", spec, hant_last_error());
    HT_CHECK(n >= 1 && !memcmp(&pool[0], t, sizeof *t), "%s: out[0] is not the teacher's block", spec);
    int oh = hant_conv_out(h, t->kernel, t->stride);
    for (int i = 0; i < n; i++) {
        const hant_block_spec *c = &pool[i];
        char s1[256], s2[256];
        HT_CHECK(c->cin == t->cin && c->cout == t->cout && (c->kind == HANT_BLOCK_IDENTITY ? h : hant_conv_out(h, c->kernel, c->stride)) == oh,
                 "%s: candidate %d changes the shape", spec, i);
        HT_CHECK(hant_block_validate(c, h, w) == HANT_OK, "%s: candidate %d invalid: %s", spec, i, hant_last_error());
        hant_block_signature(c, h, w, s1, sizeof s1);
        hant_block_spec back;
        HT_CHECK(hant_block_parse(s1, &back, NULL, NULL) == HANT_OK && (i == 0 || !memcmp(&back, c, sizeof back)), "%s: candidate '%s' does not parse back", spec, s1);
        for (int j = 0; j < i; j++) {
            hant_block_signature(&pool[j], h, w, s2, sizeof s2);
            HT_CHECK(strcmp(s1, s2), "%s: candidates %d and %d share '%s'", spec, i, j, s1);
        }
        if (c->kind == kind && (hid < 0 || c->hidden == hid) && !c->quant) found++;
    }
    if (count) *count = n;
    return found;
}

/* A MobileNetV3 block (hidden 88 on cin 24, SE 24 wide, ReLU inside, hard-sigmoid gate). */
static void test_pool_mobilenetv3_block(void) {
    hant_block_spec t = mk_block(HANT_BLOCK_MBCONV, 24, 24, 4, 3, 1, 0.0f, HANT_ACT_RELU);
    t.hidden = 88; t.se_width = 24; t.se_act = HANT_ACT_RELU; t.se_gate = HANT_ACT_HSIGMOID;
    int n, nq, nf;
    HT_CHECK(check_pool(&t, 14, 14, "quick", &n, HANT_BLOCK_IDENTITY, -1) == 1, "quick: no identity at stride 1, cin = cout");
    HT_CHECK(n == 13, "quick pool of the MobileNetV3 block: %d candidates", n);
    /* e=4 relu without SE is a candidate of its own: the teacher's hidden width and SE differ */
    HT_CHECK(check_pool(&t, 14, 14, "mbconv:e=4:k=3:se=0:act=relu", &n, HANT_BLOCK_MBCONV, 0) == 1 && n == 2, "e=4 candidate beside the teacher: %d", n);
    static hant_block_spec pool[HANT_POOL_MAX];
    HT_CHECK(hant_pool_generate(&t, 14, 14, "quick+q8", pool, HANT_POOL_MAX, &nq) == HANT_OK, "quick+q8: %s", hant_last_error());
    int twin = -1;
    for (int i = 1; i < nq; i++) {
        hant_block_spec u = pool[i];
        u.quant = 0;
        if (pool[i].quant && !memcmp(&u, &t, sizeof t)) twin = i;
    }
    HT_CHECK(twin > 0, "quick+q8: no int8 twin of the teacher (with its hidden width and SE)");
    check_pool(&t, 14, 14, "full", &nf, HANT_BLOCK_MBCONV, -1);
    HT_CHECK(nf >= 110, "full pool: %d", nf);
    t.stride = 2; t.cout = 40;
    HT_CHECK(check_pool(&t, 14, 14, "quick", &n, HANT_BLOCK_IDENTITY, -1) == 0 && n == 12, "quick at stride 2: %d candidates", n);
    /* the ResNet terms are for ResNet teachers and the grammar: errors */
    HT_CHECK(hant_pool_generate(&t, 14, 14, "mbconv:w=0.5", pool, HANT_POOL_MAX, &n) != HANT_OK, "w on mbconv accepted");
    HT_CHECK(hant_pool_generate(&t, 14, 14, "basic:e=2", pool, HANT_POOL_MAX, &n) != HANT_OK, "e on basic accepted");
    HT_CHECK(hant_pool_generate(&t, 14, 14, "basic:w=0", pool, HANT_POOL_MAX, &n) != HANT_OK, "w=0 accepted");
    HT_CHECK(hant_pool_generate(&t, 14, 14, "bottleneck:w=5", pool, HANT_POOL_MAX, &n) != HANT_OK, "w=5 accepted");
    HT_CHECK(hant_pool_generate(&t, 14, 14, "basic:k=4", pool, HANT_POOL_MAX, &n) != HANT_OK, "basic k=4 accepted");
    HT_CHECK(hant_pool_generate(&t, 14, 14, "bottleneck:se=0.25", pool, HANT_POOL_MAX, &n) != HANT_OK, "se on bottleneck accepted");
}

/* ResNet teachers: the teacher, the shape-based alternatives, and cheaper
   ResNet blocks of reduced mid width. */
static void test_pool_resnet(void) {
    int n, nq;
    /* resnet18 layer1 block: 64 -> 64, stride 1, no projection */
    hant_block_spec t = mk_block(HANT_BLOCK_RESNET_BASIC, 64, 64, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    HT_CHECK(check_pool(&t, 56, 56, "quick", &n, HANT_BLOCK_RESNET_BASIC, 32) == 1, "quick: no basic block of width 32");
    HT_CHECK(check_pool(&t, 56, 56, "quick", &n, HANT_BLOCK_RESNET_BASIC, 48) == 1, "quick: no basic block of width 48");
    HT_CHECK(check_pool(&t, 56, 56, "quick", &n, HANT_BLOCK_IDENTITY, -1) == 1, "quick: identity");
    HT_CHECK(check_pool(&t, 56, 56, "quick", &n, HANT_BLOCK_MBCONV, -1) == 7 && n == 15, "quick: %d candidates", n);
    HT_CHECK(check_pool(&t, 56, 56, "full", &n, HANT_BLOCK_RESNET_BASIC, -1) == 4, "full: basic at w 0.25, 0.5, 0.75 and the teacher");
    HT_CHECK(check_pool(&t, 56, 56, "full", &n, HANT_BLOCK_RESNET_BOTTLENECK, -1) == 4 && n == 116 + 3 + 4, "full: bottlenecks; %d candidates", n);
    check_pool(&t, 56, 56, "quick+q8", &nq, HANT_BLOCK_RESNET_BASIC, -1);
    HT_CHECK(nq == 2 * 15 - 1, "quick+q8: %d (an int8 twin of every candidate but identity)", nq);
    {
        static hant_block_spec q[HANT_POOL_MAX];
        int nb = 0;
        hant_pool_generate(&t, 56, 56, "quick+q8", q, HANT_POOL_MAX, &nq);
        for (int i = 0; i < nq; i++) nb += q[i].kind == HANT_BLOCK_RESNET_BASIC && q[i].quant == HANT_QUANT_INT8;
        HT_CHECK(nb == 3, "quick+q8: %d int8 basic blocks (the teacher's twin and two widths)", nb);
    }
    /* resnet18 layer2 first block: 64 -> 128, stride 2, projection shortcut */
    t = mk_block(HANT_BLOCK_RESNET_BASIC, 64, 128, 1, 3, 2, 0.0f, HANT_ACT_RELU);
    HT_CHECK(check_pool(&t, 56, 56, "quick", &n, HANT_BLOCK_RESNET_BASIC, 64) == 1, "quick: no basic block of width 64");
    HT_CHECK(check_pool(&t, 56, 56, "quick", &n, HANT_BLOCK_RESNET_BASIC, 96) == 1, "quick: no basic block of width 96");
    HT_CHECK(check_pool(&t, 56, 56, "quick", &n, HANT_BLOCK_IDENTITY, -1) == 0 && n == 14, "quick at stride 2: %d", n);
    /* a teacher of reduced width: w scales its own width */
    t.hidden = 96;
    HT_CHECK(check_pool(&t, 56, 56, "basic:w=0.5", &n, HANT_BLOCK_RESNET_BASIC, 48) == 1 && n == 2, "w scales the teacher's width");
    /* resnet50 bottleneck 256 -> 256 (mid 64) */
    t = mk_block(HANT_BLOCK_RESNET_BOTTLENECK, 256, 256, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    HT_CHECK(check_pool(&t, 14, 14, "quick", &n, HANT_BLOCK_RESNET_BOTTLENECK, 32) == 1, "quick: no bottleneck of width 32");
    HT_CHECK(check_pool(&t, 14, 14, "quick", &n, HANT_BLOCK_RESNET_BOTTLENECK, 48) == 1 && n == 15, "quick: bottleneck of width 48; %d", n);
    HT_CHECK(check_pool(&t, 14, 14, "full", &n, HANT_BLOCK_RESNET_BASIC, -1) == 4, "full: basic blocks");
    /* an MBConv teacher takes ResNet terms too, widths from cout */
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    HT_CHECK(check_pool(&a.blocks[3], 14, 14, "basic:w=0.5", &n, HANT_BLOCK_RESNET_BASIC, 20) == 1 && n == 2, "basic on an MBConv teacher");
    HT_CHECK(check_pool(&a.blocks[3], 14, 14, "quick", &n, HANT_BLOCK_RESNET_BASIC, -1) == 0, "quick of an MBConv teacher has ResNet blocks");
}

/* ---- warm starts ---- */
/* A one-block headless net of spec b on an h x w input, random weights and BN. */
static hant_net *block_net(const hant_block_spec *b, int h, int w, uint64_t seed) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = h; a.in_w = w; a.in_c = b->cin; a.bn_eps = 1e-3f; a.num_blocks = 1; a.blocks[0] = *b;
    hant_net *net = NULL;
    if (hant_net_create(ctx, &a, seed, &net)) return NULL;
    ht_seed(seed);
    ht_randomise_bn(net);
    return net;
}

/* Inherits cand from teacher t; returns the count (negative: failure) and
   the largest |candidate - teacher| output over two random images in *diff. */
static int inherit_and_compare(const hant_block_spec *t, const hant_block_spec *cand, int h, int w, double *diff) {
    hant_net *tn = block_net(t, h, w, 31), *cn = block_net(cand, h, w, 32);
    *diff = INFINITY;
    if (!tn || !cn) { HT_CHECK(0, "create: %s", hant_last_error()); hant_net_destroy(tn); hant_net_destroy(cn); return -1; }
    size_t np, nb, tp, tb;
    float *dp = hant_net_param_data(cn, &np), *db = hant_net_buffer_data(cn, &nb);
    float *sp = hant_net_param_data(tn, &tp), *sb = hant_net_buffer_data(tn, &tb);
    hant_part_layout lt, lc;
    hant_arch ta = *hant_net_arch(tn), ca = *hant_net_arch(cn);
    HT_CHECK(hant_arch_part_layout(&ta, 0, &lt) == HANT_OK && lt.param_count == tp && lt.buffer_count == tb, "teacher layout: %zu/%zu params", lt.param_count, tp);
    HT_CHECK(hant_arch_part_layout(&ca, 0, &lc) == HANT_OK && lc.param_count == np && lc.buffer_count == nb, "candidate layout: %zu/%zu params", lc.param_count, np);
    int got = 0;
    if (hant_block_inherit_ctx(ctx, cand, dp, db, t, sp, sb, &got)) got = -1;
    int no = hant_net_output_size(tn);
    float *x = malloc(sizeof(float) * 2 * (size_t)h * w * t->cin), *y1 = malloc(sizeof(float) * 2 * (size_t)no), *y2 = malloc(sizeof(float) * 2 * (size_t)no);
    ht_fill(x, 2 * (size_t)h * w * t->cin, -1, 1);
    if (hant_net_output_size(cn) == no && !hant_net_forward(tn, x, 2, y1) && !hant_net_forward(cn, x, 2, y2)) {
        double m = 0;
        for (int i = 0; i < 2 * no; i++) { double e = fabs((double)y1[i] - y2[i]) / (1.0 + fabs((double)y1[i])); if (!(e <= m)) m = e; }
        *diff = m;
    }
    free(x); free(y1); free(y2);
    hant_net_destroy(tn); hant_net_destroy(cn);
    return got;
}

/* Teacher-shaped candidates compute the teacher's function exactly; other
   widths and kernels inherit something and stay finite. */
static void test_inherit_mbconv(void) {
    double d;
    hant_block_spec t = mk_block(HANT_BLOCK_MBCONV, 16, 16, 6, 5, 1, 0.25f, HANT_ACT_SILU), c = t;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 6 + 1 && d == 0.0, "equal MBConv: output differs by %g", d);
    c.kernel = 3; c.expansion = 3;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 7 && isfinite(d), "narrower MBConv: %g", d);
    c = t; c.expansion = 1;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 0, "e=1 from e=6 inherited");
    c = mk_block(HANT_BLOCK_FUSED_MBCONV, 16, 16, 2, 3, 1, 0.0f, HANT_ACT_SILU);
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 0, "fused from MBConv inherited");
    /* the old entry point agrees */
    hant_net *tn = block_net(&t, 8, 8, 5), *cn = block_net(&t, 8, 8, 6);
    if (tn && cn) {
        size_t n1, n2, n3, n4;
        HT_CHECK(hant_block_inherit(&t, hant_net_param_data(cn, &n1), hant_net_buffer_data(cn, &n2), &t, hant_net_param_data(tn, &n3), hant_net_buffer_data(tn, &n4)) == 7,
                 "hant_block_inherit");
        HT_CHECK(!memcmp(hant_net_param_data(cn, &n1), hant_net_param_data(tn, &n3), n1 * 4), "equal blocks: parameters differ");
    }
    hant_net_destroy(tn); hant_net_destroy(cn);
}

static int fail_allocs;
static void *failing_alloc(size_t n, void *user) { (void)user; return fail_allocs ? NULL : malloc(n); }
static void failing_free(void *p, void *user) { (void)user; free(p); }

/* Running out of memory is an error, not "nothing inherited"; scratch comes from the context. */
static void test_inherit_oom(void) {
    hant_config cfg = { 1, 0, { failing_alloc, failing_free, NULL }, 0 };
    hant_context *c2 = NULL;
    fail_allocs = 0;
    HT_CHECK(hant_context_create(&cfg, &c2) == HANT_OK, "context");
    if (!c2) return;
    hant_block_spec t = mk_block(HANT_BLOCK_MBCONV, 16, 16, 6, 5, 1, 0.25f, HANT_ACT_SILU);
    hant_net *tn = block_net(&t, 8, 8, 5), *cn = block_net(&t, 8, 8, 6);
    if (tn && cn) {
        size_t n1, n2, n3, n4;
        float *dp = hant_net_param_data(cn, &n1), *db = hant_net_buffer_data(cn, &n2), *sp = hant_net_param_data(tn, &n3), *sb = hant_net_buffer_data(tn, &n4);
        int got = -5;
        fail_allocs = 1;
        HT_CHECK(hant_block_inherit_ctx(c2, &t, dp, db, &t, sp, sb, &got) == HANT_ERR_OUT_OF_MEMORY && got == 0 && strstr(hant_last_error(), "channel"),
                 "out of memory not reported: got %d, '%s'", got, hant_last_error());
        fail_allocs = 0;
        HT_CHECK(hant_block_inherit_ctx(c2, &t, dp, db, &t, sp, sb, &got) == HANT_OK && got == 7, "with memory: %d", got);
        HT_CHECK(hant_block_inherit_ctx(c2, &t, dp, db, &t, sp, sb, NULL) == HANT_ERR_INVALID_ARG, "NULL count accepted");
    }
    hant_net_destroy(tn); hant_net_destroy(cn);
    hant_context_destroy(c2);
}

/* Imported-network blocks: hidden widths, SE variants, ResNet kinds. */
static void test_inherit_imported(void) {
    double d;
    /* MobileNetV3-style: hidden 20 on cin 8 (no multiple), SE 6 wide, ReLU / hard-sigmoid */
    hant_block_spec t = mk_block(HANT_BLOCK_MBCONV, 8, 8, 3, 3, 1, 0.0f, HANT_ACT_HSWISH), c;
    t.hidden = 20; t.se_width = 6; t.se_act = HANT_ACT_RELU; t.se_gate = HANT_ACT_HSIGMOID;
    c = t;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 7 && d == 0.0, "equal MBConv (hidden 20): output differs by %g", d);
    c.hidden = 0; c.expansion = 2; /* 16 of the teacher's 20 channels */
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 7 && isfinite(d), "MBConv e=2 from hidden 20: %g", d);
    c.expansion = 4; /* 32 > 20: the 12 new channels start silent */
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 7 && d < 1e-5, "wider MBConv: output differs by %g", d);
    c = t; c.se_width = 0; c.se_ratio = 0; c.se_act = c.se_gate = 0;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 6, "no SE: count");
    /* ResNet basic without and with projection, bottleneck */
    t = mk_block(HANT_BLOCK_RESNET_BASIC, 16, 16, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    c = t;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 4 && d == 0.0, "equal basic: output differs by %g", d);
    c.hidden = 8;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 4 && isfinite(d), "basic of half width: %g", d);
    c.hidden = 24;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 4 && d < 1e-5, "wider basic: output differs by %g", d);
    c = t; c.kernel = 5;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 4 && d < 1e-5, "basic with a zero-bordered 5x5: output differs by %g", d);
    t = mk_block(HANT_BLOCK_RESNET_BASIC, 8, 16, 1, 3, 2, 0.0f, HANT_ACT_RELU);
    c = t;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 6 && d == 0.0, "equal basic with projection: output differs by %g", d);
    c.hidden = 12;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 6 && isfinite(d), "narrower basic with projection: %g", d);
    c = t; c.stride = 1;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 0, "basic of another stride inherited");
    t = mk_block(HANT_BLOCK_RESNET_BOTTLENECK, 32, 32, 1, 3, 1, 0.0f, HANT_ACT_RELU);
    c = t;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 6 && d == 0.0, "equal bottleneck: output differs by %g", d);
    c.hidden = 4;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 6 && isfinite(d), "narrower bottleneck: %g", d);
    c.hidden = 12;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 6 && d < 1e-5, "wider bottleneck: output differs by %g", d);
    t.stride = 2; t.cout = 64; c = t;
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 8 && d == 0.0, "equal bottleneck with projection: output differs by %g", d);
    c = mk_block(HANT_BLOCK_RESNET_BASIC, 32, 64, 1, 3, 2, 0.0f, HANT_ACT_RELU);
    HT_CHECK(inherit_and_compare(&t, &c, 8, 8, &d) == 0, "basic from bottleneck inherited");
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    snprintf(dir, sizeof dir, "/tmp/hant_test_format_%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) { printf("0 passed, 1 failed\n"); return 1; }
    hant_config cfg = { 2, 0, { 0 }, 0 };
    if (hant_context_create(&cfg, &ctx)) { printf("0 passed, 1 failed\n"); return 1; }
    HT_RUN(test_roundtrip_bit_exact);
    HT_RUN(test_builtin_roundtrip);
    HT_RUN(test_hostile_models);
    HT_RUN(test_int8_roundtrip);
    HT_RUN(test_v1_still_loads);
    HT_RUN(test_v3_roundtrip);
    HT_RUN(test_shipped_teacher);
    HT_RUN(test_save_refuses_ignored_fields);
    HT_RUN(test_hostile_v3);
    HT_RUN(test_hostile_resnet_file);
    HT_RUN(test_hostile_int8);
    HT_RUN(test_int8_head_file);
    HT_RUN(test_signature_tokens);
    HT_RUN(test_signatures_canonical);
    HT_RUN(test_lut_keys_unchanged);
    HT_RUN(test_signature_v3_mbconv);
    HT_RUN(test_signature_resnet);
    HT_RUN(test_pool_mobilenetv3_block);
    HT_RUN(test_pool_resnet);
    HT_RUN(test_inherit_mbconv);
    HT_RUN(test_inherit_oom);
    HT_RUN(test_inherit_imported);
    HT_RUN(test_parts_match_whole);
    HT_RUN(test_parts_match_whole_v3);
    HT_RUN(test_lut_roundtrip_and_errors);
    HT_RUN(test_save_is_atomic);
    HT_RUN(test_npy);
    hant_context_destroy(ctx);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return HT_SUMMARY();
}
