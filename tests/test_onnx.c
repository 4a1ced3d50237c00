/* test_onnx.c - the ONNX reader: hand-encoded protobuf corner cases (packed
 * and unpacked repeated fields, raw and typed data, external data, initializers
 * listed as graph inputs, unknown fields of every wire type, folded constant
 * chains, batch norm with different eps) each checked against a direct
 * computation of the same tiny network; and hostile files (truncation at every
 * offset, lengths past the end, overflowing dims, wrong types, a cycle, a
 * missing initializer, NaN weights, byte flips) that must all fail cleanly.
 * The torchvision networks are compared with PyTorch in tests/cli_onnx.sh. */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "tests/hant_test.h"
#include <unistd.h>
#include <sys/stat.h>

/* ---- a protobuf writer ---- */
typedef struct pb { unsigned char *p; size_t n, cap; } pb;
static void pb_raw(pb *b, const void *s, size_t n) {
    if (!n) return;
    if (b->n + n > b->cap) { b->cap = (b->n + n) * 2 + 64; b->p = (unsigned char *)realloc(b->p, b->cap); }
    memcpy(b->p + b->n, s, n); b->n += n;
}
static void pb_varint(pb *b, uint64_t v) { do { unsigned char c = (unsigned char)(v & 0x7f); v >>= 7; if (v) c |= 0x80; pb_raw(b, &c, 1); } while (v); }
static void pb_key(pb *b, int f, int wt) { pb_varint(b, (uint64_t)f << 3 | (uint64_t)wt); }
static void pb_int(pb *b, int f, int64_t v) { pb_key(b, f, 0); pb_varint(b, (uint64_t)v); }
static void pb_f32(pb *b, int f, float x) { pb_key(b, f, 5); pb_raw(b, &x, 4); }
static void pb_len(pb *b, int f, const void *s, size_t n) { pb_key(b, f, 2); pb_varint(b, n); pb_raw(b, s, n); }
static void pb_str(pb *b, int f, const char *s) { pb_len(b, f, s, strlen(s)); }
static void pb_sub(pb *b, int f, pb *sub) { pb_len(b, f, sub->p, sub->n); free(sub->p); memset(sub, 0, sizeof *sub); }

enum { RAW = 1, TYPED_PACKED = 2, TYPED_UNPACKED = 4, DOUBLE = 8, EXTERNAL = 16, DIMS_PACKED = 32, JUNK = 64, INIT_AS_INPUT = 128,
       BN = 256, SHAPE_CHAIN = 512, ATTR_PACKED = 1024, CLIP_ATTR = 2048, NAN_W = 4096,
       HSWISH_CHAIN = 8192, SILU = 16384, HSIG_MUL = 32768, RM_MATMUL = 65536 };
static int g_mode;
static FILE *g_ext;
static long g_ext_off;

/* unknown fields of every wire type (numbers no ONNX message uses) */
static void junk(pb *b) {
    if (!(g_mode & JUNK)) return;
    pb_int(b, 1001, 12345);
    pb_key(b, 1002, 1); pb_raw(b, "\1\2\3\4\5\6\7\x8", 8);
    pb_len(b, 1003, "xyz", 3);
    pb_key(b, 1004, 5); pb_raw(b, "\1\2\3\4", 4);
    pb_key(b, 1005, 3); pb_int(b, 1, 7); pb_key(b, 1006, 3); pb_len(b, 2, "ab", 2); pb_key(b, 1006, 4); pb_key(b, 1005, 4);
}

static void tensor(pb *out, int field, const char *name, int nd, const int64_t *dims, const float *x) {
    pb t = { 0 };
    int64_t n = 1;
    for (int d = 0; d < nd; d++) n *= dims[d];
    junk(&t);
    if (g_mode & DIMS_PACKED) { pb d = { 0 }; for (int k = 0; k < nd; k++) pb_varint(&d, (uint64_t)dims[k]); pb_sub(&t, 1, &d); }
    else for (int k = 0; k < nd; k++) pb_int(&t, 1, dims[k]);
    pb_str(&t, 8, name);
    if (g_mode & DOUBLE) {
        pb_int(&t, 2, 11);
        pb d = { 0 };
        for (int64_t i = 0; i < n; i++) { double v = x[i]; pb_raw(&d, &v, 8); }
        pb_sub(&t, 10, &d);
    } else {
        pb_int(&t, 2, 1);
        if (g_mode & EXTERNAL) {
            char off[32], len[32];
            fwrite(x, 4, (size_t)n, g_ext);
            snprintf(off, sizeof off, "%ld", g_ext_off); snprintf(len, sizeof len, "%lld", (long long)n * 4);
            g_ext_off += (long)n * 4;
            const char *kv[3][2] = { { "location", "weights.bin" }, { "offset", off }, { "length", len } };
            for (int k = 0; k < 3; k++) { pb e = { 0 }; pb_str(&e, 1, kv[k][0]); pb_str(&e, 2, kv[k][1]); pb_sub(&t, 13, &e); }
            pb_int(&t, 14, 1);
        } else if (g_mode & TYPED_PACKED) {
            pb_len(&t, 4, x, (size_t)n * 4);
        } else if (g_mode & TYPED_UNPACKED) {
            for (int64_t i = 0; i < n; i++) pb_f32(&t, 4, x[i]);
        } else {
            pb_len(&t, 9, x, (size_t)n * 4);
        }
    }
    junk(&t);
    pb_sub(out, field, &t);
}

static void itensor(pb *out, int field, const char *name, int nd, const int64_t *dims, const int64_t *x, int n) {
    pb t = { 0 };
    for (int k = 0; k < nd; k++) pb_int(&t, 1, dims[k]);
    pb_int(&t, 2, 7);
    pb_str(&t, 8, name);
    if (g_mode & TYPED_UNPACKED) for (int i = 0; i < n; i++) pb_int(&t, 7, x[i]);
    else { pb d = { 0 }; for (int i = 0; i < n; i++) pb_varint(&d, (uint64_t)x[i]); pb_sub(&t, 7, &d); }
    pb_sub(out, field, &t);
}

typedef struct attr { const char *name; int type; int64_t i; float f; int n; int64_t ints[4]; } attr;
static void node(pb *g, const char *op, const char *name, const char *in, const char *out, int na, const attr *at) {
    pb n = { 0 };
    junk(&n);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    for (char *s = strtok(buf, ","); s; s = strtok(NULL, ",")) pb_str(&n, 1, !strcmp(s, "-") ? "" : s);
    pb_str(&n, 2, out);
    pb_str(&n, 3, name);
    pb_str(&n, 4, op);
    for (int k = 0; k < na; k++) {
        pb a = { 0 };
        junk(&a);
        pb_str(&a, 1, at[k].name);
        pb_int(&a, 20, at[k].type);
        if (at[k].type == 1) pb_f32(&a, 2, at[k].f);
        else if (at[k].type == 2) pb_int(&a, 3, at[k].i);
        else if (g_mode & ATTR_PACKED) { pb d = { 0 }; for (int j = 0; j < at[k].n; j++) pb_varint(&d, (uint64_t)at[k].ints[j]); pb_sub(&a, 8, &d); }
        else for (int j = 0; j < at[k].n; j++) pb_int(&a, 8, at[k].ints[j]);
        pb_sub(&n, 5, &a);
    }
    pb_sub(g, 1, &n);
}

static void value_info(pb *g, int field, const char *name, int nd, const int64_t *dims) {
    pb v = { 0 }, t = { 0 }, tt = { 0 }, sh = { 0 };
    for (int k = 0; k < nd; k++) {
        pb d = { 0 };
        if (dims[k] < 0) pb_str(&d, 2, "N"); else pb_int(&d, 1, dims[k]);
        pb_sub(&sh, 1, &d);
    }
    pb_int(&tt, 1, 1);
    pb_sub(&tt, 2, &sh);
    pb_sub(&t, 1, &tt);
    pb_str(&v, 1, name);
    pb_sub(&v, 2, &t);
    pb_sub(g, field, &v);
}

/* The tiny network: stem conv 3x3 3->4 (bias) relu; MBConv block without
   expansion: depthwise 3x3 relu6, project 1x1 4->4, + input; global average
   pool, flatten, FC 4->2. */
#define H 6
static float Ws[4 * 3 * 9], Bs[4], Wd[4 * 9], Bd[4], Wp[4 * 4], Bp[4], Wf[2 * 4], Bf[2];
static float BNd[4][4], BNp[4][4]; /* gamma, beta, mean, var */
static const float EPS_D = 1e-3f, EPS_P = 1e-5f;

static void init_weights(void) {
    ht_seed(7);
    ht_fill(Ws, sizeof Ws / 4, -0.5f, 0.5f); ht_fill(Bs, 4, -0.2f, 0.2f);
    ht_fill(Wd, sizeof Wd / 4, -0.5f, 0.5f); ht_fill(Bd, 4, -0.2f, 0.2f);
    ht_fill(Wp, sizeof Wp / 4, -0.5f, 0.5f); ht_fill(Bp, 4, -0.2f, 0.2f);
    ht_fill(Wf, sizeof Wf / 4, -0.5f, 0.5f); ht_fill(Bf, 2, -0.2f, 0.2f);
    for (int c = 0; c < 4; c++) {
        BNd[0][c] = ht_uniform(0.5f, 1.5f); BNd[1][c] = ht_uniform(-0.2f, 0.2f); BNd[2][c] = ht_uniform(-0.2f, 0.2f); BNd[3][c] = ht_uniform(0.5f, 2.0f);
        BNp[0][c] = ht_uniform(0.5f, 1.5f); BNp[1][c] = ht_uniform(-0.2f, 0.2f); BNp[2][c] = ht_uniform(-0.2f, 0.2f); BNp[3][c] = ht_uniform(0.5f, 2.0f);
    }
}

/* model bytes for the current g_mode; writes DIR/weights.bin for EXTERNAL */
static pb build_model(const char *dir) {
    pb m = { 0 }, g = { 0 }, o = { 0 };
    char p[512];
    snprintf(p, sizeof p, "%s/weights.bin", dir);
    g_ext = (g_mode & EXTERNAL) ? fopen(p, "wb") : NULL;
    g_ext_off = 0;
    int64_t ds[4] = { 4, 3, 3, 3 }, dd[4] = { 4, 1, 3, 3 }, dp[4] = { 4, 4, 1, 1 }, df[2] = { 2, 4 }, d4 = 4, d2 = 2;
    attr k3[3] = { { "kernel_shape", 7, 0, 0, 2, { 3, 3 } }, { "pads", 7, 0, 0, 4, { 1, 1, 1, 1 } }, { "strides", 7, 0, 0, 2, { 1, 1 } } };
    attr dw[4] = { k3[0], k3[1], k3[2], { "group", 2, 4, 0, 0, { 0 } } };
    attr tb = { "transB", 2, 1, 0, 0, { 0 } };
    junk(&g);
    node(&g, "Conv", "stem_conv", "x,ws,bs", "s0", 3, k3);
    if (g_mode & (HSWISH_CHAIN | SILU | HSIG_MUL)) { /* activations as exporters decompose them */
        float three = 3.0f, six = 6.0f, zero = 0.0f;
        int64_t d1 = 1;
        tensor(&g, 5, "three", 0, &d1, &three); tensor(&g, 5, "six", 1, &d1, &six); tensor(&g, 5, "zero", 0, &d1, &zero);
        if (g_mode & HSWISH_CHAIN) { /* x * clip(x + 3, 0, 6) / 6 */
            node(&g, "Add", "hs_add", "three,s0", "h1", 0, NULL);
            node(&g, "Clip", "hs_clip", "h1,zero,six", "h2", 0, NULL);
            node(&g, "Mul", "hs_mul", "s0,h2", "h3", 0, NULL);
            node(&g, "Div", "hs_div", "h3,six", "s", 0, NULL);
        } else if (g_mode & SILU) {
            node(&g, "Sigmoid", "silu_sig", "s0", "h1", 0, NULL);
            node(&g, "Mul", "silu_mul", "h1,s0", "s", 0, NULL);
        } else {
            attr hs[2] = { { "alpha", 1, 0, 1.0f / 6.0f, 0, { 0 } }, { "beta", 1, 0, 0.5f, 0, { 0 } } };
            node(&g, "HardSigmoid", "hsig", "s0", "h1", 2, hs);
            node(&g, "Mul", "hsig_mul", "s0,h1", "s", 0, NULL);
        }
    } else {
        node(&g, "Relu", "stem_relu", "s0", "s", 0, NULL);
    }
    if (g_mode & BN) {
        attr e1 = { "epsilon", 1, 0, EPS_D, 0, { 0 } }, e2 = { "epsilon", 1, 0, EPS_P, 0, { 0 } };
        node(&g, "Conv", "dw_conv", "s,wd", "d0", 4, dw);
        node(&g, "BatchNormalization", "dw_bn", "d0,gd,bd,md,vd", "d1", 1, &e1);
        node(&g, "Conv", "pw_conv", "d,wp", "p0", 0, NULL);
        node(&g, "BatchNormalization", "pw_bn", "p0,gp,bp,mp,vp", "p", 1, &e2);
    } else {
        node(&g, "Conv", "dw_conv", "s,wd,bd", "d1", 4, dw);
        node(&g, "Conv", "pw_conv", "d,wp,bp", "p", 0, NULL);
    }
    if (g_mode & CLIP_ATTR) { /* opset < 11 form */
        attr mm[2] = { { "min", 1, 0, 0.0f, 0, { 0 } }, { "max", 1, 0, 6.0f, 0, { 0 } } };
        node(&g, "Clip", "dw_act", "d1", "d", 2, mm);
    } else {
        pb t0 = { 0 }, t6 = { 0 };
        attr dummy; (void)dummy;
        /* Clip's bounds from Constant nodes */
        pb n0 = { 0 }, n6 = { 0 };
        float z = 0.0f, six = 6.0f;
        pb_int(&t0, 2, 1); pb_len(&t0, 9, &z, 4);
        pb_int(&t6, 2, 1); pb_len(&t6, 9, &six, 4);
        pb_str(&n0, 2, "c0"); pb_str(&n0, 3, "const0"); pb_str(&n0, 4, "Constant");
        { pb a = { 0 }; pb_str(&a, 1, "value"); pb_int(&a, 20, 4); pb_sub(&a, 5, &t0); pb_sub(&n0, 5, &a); }
        pb_str(&n6, 2, "c6"); pb_str(&n6, 3, "const6"); pb_str(&n6, 4, "Constant");
        { pb a = { 0 }; pb_str(&a, 1, "value"); pb_int(&a, 20, 4); pb_sub(&a, 5, &t6); pb_sub(&n6, 5, &a); }
        pb_sub(&g, 1, &n0); pb_sub(&g, 1, &n6);
        node(&g, "Clip", "dw_act", "d1,c0,c6", "d", 0, NULL);
    }
    node(&g, "Add", "res_add", "p,s", "r", 0, NULL);
    if (g_mode & RM_MATMUL) { /* ReduceMean to [N, C], MatMul by [C, 2], Add the bias */
        attr ax = { "axes", 7, 0, 0, 2, { -1, -2 } }, kd = { "keepdims", 2, 0, 0, 0, { 0 } };
        attr both[2] = { ax, kd };
        float wt[8];
        int64_t dt[2] = { 4, 2 }, d2b = 2;
        for (int i = 0; i < 4; i++) for (int o = 0; o < 2; o++) wt[i * 2 + o] = Wf[o * 4 + i];
        tensor(&g, 5, "wft", 2, dt, wt); tensor(&g, 5, "bf", 1, &d2b, Bf);
        node(&g, "ReduceMean", "rmean", "r", "f1", 2, both);
        node(&g, "MatMul", "mm", "f1,wft", "mm0", 0, NULL);
        node(&g, "Add", "mm_bias", "mm0,bf", "logits", 0, NULL);
    } else {
    node(&g, "GlobalAveragePool", "gap", "r", "gp0", 0, NULL);
    if (g_mode & SHAPE_CHAIN) { /* Reshape(g, Concat(Unsqueeze(Gather(Shape(g), 0)), [-1])) */
        attr ax = { "axis", 2, 0, 0, 0, { 0 } }, axes = { "axes", 7, 0, 0, 1, { 0 } };
        int64_t z = 0, m1 = -1, d1 = 1;
        itensor(&g, 5, "zero", 0, NULL, &z, 1);
        itensor(&g, 5, "minus1", 1, &d1, &m1, 1);
        node(&g, "Shape", "shape", "gp0", "sh", 0, NULL);
        node(&g, "Gather", "gather", "sh,zero", "n0", 1, &ax);
        node(&g, "Unsqueeze", "unsq", "n0", "n1", 1, &axes);
        node(&g, "Concat", "concat", "n1,minus1", "tgt", 1, &ax);
        node(&g, "Reshape", "reshape", "gp0,tgt", "f", 0, NULL);
    } else {
        node(&g, "Flatten", "flatten", "gp0", "f", 0, NULL);
    }
    node(&g, "Identity", "ident", "f", "f1", 0, NULL);
    node(&g, "Gemm", "fc", "f1,wf,bf", "logits", 1, &tb);
    }
    /* initializers, the first ones before the nodes would also do */
    float wd[4 * 9];
    memcpy(wd, Wd, sizeof wd);
    if (g_mode & NAN_W) wd[5] = NAN;
    tensor(&g, 5, "ws", 4, ds, Ws); tensor(&g, 5, "bs", 1, &d4, Bs);
    tensor(&g, 5, "wd", 4, dd, wd); tensor(&g, 5, "wp", 4, dp, Wp);
    if (g_mode & BN) {
        const char *nd[4] = { "gd", "bd", "md", "vd" }, *np[4] = { "gp", "bp", "mp", "vp" };
        for (int k = 0; k < 4; k++) { tensor(&g, 5, nd[k], 1, &d4, BNd[k]); tensor(&g, 5, np[k], 1, &d4, BNp[k]); }
    } else {
        tensor(&g, 5, "bd", 1, &d4, Bd); tensor(&g, 5, "bp", 1, &d4, Bp);
    }
    if (!(g_mode & RM_MATMUL)) { tensor(&g, 5, "wf", 2, df, Wf); tensor(&g, 5, "bf", 1, &d2, Bf); }
    int64_t xd[4] = { -1, 3, H, H }, ld[2] = { -1, 2 };
    value_info(&g, 11, "x", 4, xd);
    if (g_mode & INIT_AS_INPUT) { value_info(&g, 11, "ws", 4, ds); value_info(&g, 11, "wf", 2, df); }
    value_info(&g, 12, "logits", 2, ld);
    pb_str(&g, 2, "tiny");
    junk(&g);
    if (g_ext) fclose(g_ext);
    /* ModelProto: ir_version, opset, then the graph last (so that every
       truncation loses something required) */
    pb_int(&m, 1, 7);
    junk(&m);
    pb_str(&o, 1, ""); pb_int(&o, 2, (g_mode & CLIP_ATTR) ? 9 : 13);
    pb_sub(&m, 8, &o);
    pb_sub(&m, 7, &g);
    return m;
}

/* the same network computed directly, NCHW */
static void reference(const float *x, int n, float *logits) {
    for (int i = 0; i < n; i++) {
        float s[4][H][H], d[4][H][H], r[4][H][H];
        const float *xi = x + (size_t)i * 3 * H * H;
        for (int o = 0; o < 4; o++)
            for (int y = 0; y < H; y++)
                for (int xx = 0; xx < H; xx++) {
                    float acc = Bs[o];
                    for (int c = 0; c < 3; c++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = y + ky - 1, ix = xx + kx - 1;
                                if (iy >= 0 && iy < H && ix >= 0 && ix < H) acc += Ws[((o * 3 + c) * 3 + ky) * 3 + kx] * xi[(c * H + iy) * H + ix];
                            }
                    if (g_mode & HSWISH_CHAIN) s[o][y][xx] = acc * fminf(fmaxf(acc + 3.0f, 0.0f), 6.0f) / 6.0f;
                    else if (g_mode & SILU) s[o][y][xx] = acc / (1.0f + expf(-acc));
                    else if (g_mode & HSIG_MUL) s[o][y][xx] = acc * fminf(fmaxf(acc / 6.0f + 0.5f, 0.0f), 1.0f);
                    else s[o][y][xx] = acc > 0 ? acc : 0;
                }
        for (int o = 0; o < 4; o++)
            for (int y = 0; y < H; y++)
                for (int xx = 0; xx < H; xx++) {
                    float acc = (g_mode & BN) ? 0.0f : Bd[o];
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = y + ky - 1, ix = xx + kx - 1;
                            if (iy >= 0 && iy < H && ix >= 0 && ix < H) acc += Wd[(o * 3 + ky) * 3 + kx] * s[o][iy][ix];
                        }
                    if (g_mode & BN) acc = (acc - BNd[2][o]) / sqrtf(BNd[3][o] + EPS_D) * BNd[0][o] + BNd[1][o];
                    d[o][y][xx] = acc < 0 ? 0 : acc > 6 ? 6 : acc;
                }
        float pooled[4];
        for (int o = 0; o < 4; o++) {
            double sum = 0;
            for (int y = 0; y < H; y++)
                for (int xx = 0; xx < H; xx++) {
                    float acc = (g_mode & BN) ? 0.0f : Bp[o];
                    for (int c = 0; c < 4; c++) acc += Wp[o * 4 + c] * d[c][y][xx];
                    if (g_mode & BN) acc = (acc - BNp[2][o]) / sqrtf(BNp[3][o] + EPS_P) * BNp[0][o] + BNp[1][o];
                    r[o][y][xx] = acc + s[o][y][xx];
                    sum += r[o][y][xx];
                }
            pooled[o] = (float)(sum / (H * H));
        }
        for (int k = 0; k < 2; k++) {
            float acc = Bf[k];
            for (int c = 0; c < 4; c++) acc += Wf[k * 4 + c] * pooled[c];
            logits[i * 2 + k] = acc;
        }
    }
}

static char g_dir[256];
static hant_context *g_ctx;

static int write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = !n || fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* loads bytes as DIR/m.onnx: the status, the net in *out (or NULL) */
static hant_status load_bytes(const void *p, size_t n, hant_net **out) {
    char path[512];
    snprintf(path, sizeof path, "%s/m.onnx", g_dir);
    *out = NULL;
    if (!write_file(path, p, n)) return HANT_ERR_IO;
    return hant_onnx_load(g_ctx, path, NULL, out);
}

static void check_mode(int mode) {
    g_mode = mode;
    pb m = build_model(g_dir);
    hant_net *net;
    hant_status st = load_bytes(m.p, m.n, &net);
    HT_CHECK(st == HANT_OK, "mode %#x: %s", mode, hant_last_error());
    if (!st) {
        enum { N = 3 };
        float x[N * 3 * H * H], xh[N * 3 * H * H], y[N * 2], ref[N * 2];
        ht_fill(x, sizeof x / 4, -1.0f, 1.0f);
        for (int i = 0; i < N; i++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < H * H; p++) xh[(i * H * H + p) * 3 + c] = x[(i * 3 + c) * H * H + p];
        const hant_arch *a = hant_net_arch(net);
        HT_CHECK(a->num_blocks == 1 && a->blocks[0].kind == HANT_BLOCK_MBCONV && a->blocks[0].expansion == 1 && a->blocks[0].act == HANT_ACT_RELU6 &&
                 a->stem_act == ((mode & (HSWISH_CHAIN | HSIG_MUL)) ? HANT_ACT_HSWISH : (mode & SILU) ? HANT_ACT_SILU : HANT_ACT_RELU) && a->num_classes == 2 && a->head_cout == 0, "mode %#x: architecture", mode);
        HT_CHECK(hant_net_forward(net, xh, N, y) == HANT_OK, "forward: %s", hant_last_error());
        reference(x, N, ref);
        size_t w;
        double e = ht_max_err_ratio(y, ref, N * 2, 1e-5, 1e-5, &w);
        HT_CHECK(e <= 1.0, "mode %#x: logit %zu: %g vs %g", mode, w, (double)y[w], (double)ref[w]);
        hant_net_destroy(net);
    }
    free(m.p);
}

static void test_encodings(void) {
    static const int modes[] = { RAW, TYPED_PACKED, TYPED_UNPACKED, DOUBLE, EXTERNAL, RAW | DIMS_PACKED | ATTR_PACKED, TYPED_UNPACKED | JUNK,
                                 RAW | INIT_AS_INPUT, BN, BN | TYPED_PACKED | JUNK, SHAPE_CHAIN, SHAPE_CHAIN | TYPED_UNPACKED | JUNK,
                                 CLIP_ATTR, EXTERNAL | BN | JUNK | INIT_AS_INPUT, HSWISH_CHAIN, SILU | RM_MATMUL, HSIG_MUL | TYPED_PACKED,
                                 RM_MATMUL | BN | JUNK };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) check_mode(modes[i]);
}

static void test_origin_and_norm(void) {
    g_mode = RAW;
    pb m = build_model(g_dir);
    char path[512];
    snprintf(path, sizeof path, "%s/m.onnx", g_dir);
    HT_CHECK(write_file(path, m.p, m.n), "write");
    static char origin[HANT_MAX_BLOCKS + 2][128];
    hant_onnx_import_options o;
    memset(&o, 0, sizeof o);
    o.origin = origin; o.norm_channels = 3;
    o.mean[0] = 0.5f; o.mean[1] = 0.25f; o.mean[2] = 0.125f; o.std[0] = o.std[1] = o.std[2] = 2.0f;
    hant_net *net = NULL;
    HT_CHECK(hant_onnx_load(g_ctx, path, &o, &net) == HANT_OK, "%s", hant_last_error());
    if (net) {
        HT_CHECK(strstr(origin[0], "stem_conv") && strstr(origin[1], "dw_conv") && strstr(origin[2], "gap") && strstr(origin[2], "fc"),
                 "origin: '%s' '%s' '%s'", origin[0], origin[1], origin[2]);
        const hant_arch *a = hant_net_arch(net);
        HT_CHECK(a->in_mean[1] == 0.25f && a->in_std[2] == 2.0f && a->in_mean[3] == 0.0f, "normalisation");
        hant_net_destroy(net);
    }
    o.norm_channels = 2;
    HT_CHECK(hant_onnx_load(g_ctx, path, &o, &net) == HANT_ERR_INVALID_ARG && !net, "2 normalisation channels for 3 accepted");
    o.norm_channels = 3; o.std[1] = 0.0f;
    HT_CHECK(hant_onnx_load(g_ctx, path, &o, &net) == HANT_ERR_INVALID_ARG && !net, "std 0 accepted");
    free(m.p);
}

/* every proper prefix of a valid model is an error */
static void test_truncation(void) {
    static const int modes[] = { RAW, TYPED_UNPACKED | JUNK | BN | SHAPE_CHAIN };
    for (size_t mi = 0; mi < 2; mi++) {
        g_mode = modes[mi];
        pb m = build_model(g_dir);
        int ok = 0;
        for (size_t n = 0; n < m.n; n++) {
            hant_net *net;
            hant_status st = load_bytes(m.p, n, &net);
            if (st == HANT_OK) { ok++; hant_net_destroy(net); continue; }
            HT_CHECK(st < 0 && hant_last_error()[0], "prefix %zu: no message", n);
        }
        HT_CHECK(ok == 0, "mode %#x: %d of %zu prefixes loaded", g_mode, ok, m.n);
        free(m.p);
    }
}

/* every single-byte change: an error or a network, never a crash */
static void test_byte_flips(void) {
    g_mode = RAW | BN | SHAPE_CHAIN;
    pb m = build_model(g_dir);
    int errors = 0;
    for (size_t i = 0; i < m.n; i++) {
        static const unsigned char vals[4] = { 0x00, 0xff, 0x80, 0x7f };
        for (int k = 0; k < 4; k++) {
            unsigned char old = m.p[i];
            if (old == vals[k]) continue;
            m.p[i] = vals[k];
            hant_net *net;
            hant_status st = load_bytes(m.p, m.n, &net);
            m.p[i] = old;
            if (st) { errors++; HT_CHECK(hant_last_error()[0], "flip at %zu: no message", i); }
            else hant_net_destroy(net);
        }
    }
    HT_CHECK(errors > 0, "no byte change was an error");
    free(m.p);
}

/* hand-made hostile files: each must fail with a message containing `want` */
static void expect_fail(const pb *m, hant_status want_st, const char *want, const char *what) {
    hant_net *net;
    hant_status st = load_bytes(m->p, m->n, &net);
    HT_CHECK(st != HANT_OK && (!want_st || st == want_st) && strstr(hant_last_error(), want), "%s: status %d, '%s' (want '%s')", what, st,
             hant_last_error(), want);
    if (!st) hant_net_destroy(net);
}

static pb model_with_graph(pb *g, int opset) {
    pb m = { 0 }, o = { 0 };
    pb_int(&m, 1, 7);
    pb_str(&o, 1, ""); pb_int(&o, 2, opset);
    pb_sub(&m, 8, &o);
    pb_sub(&m, 7, g);
    return m;
}

static void tiny_io(pb *g) {
    int64_t xd[4] = { 1, 3, H, H }, ld[2] = { 1, 2 };
    value_info(g, 11, "x", 4, xd);
    value_info(g, 12, "logits", 2, ld);
}

static void test_hostile(void) {
    g_mode = RAW;
    attr k3[2] = { { "kernel_shape", 7, 0, 0, 2, { 3, 3 } }, { "pads", 7, 0, 0, 4, { 1, 1, 1, 1 } } };
    attr tb = { "transB", 2, 1, 0, 0, { 0 } };
    int64_t ds[4] = { 4, 3, 3, 3 }, df[2] = { 2, 4 };
    float w[108] = { 0 };
    /* a length past the end */
    {
        pb m = { 0 };
        pb_int(&m, 1, 7); pb_key(&m, 7, 2); pb_varint(&m, 1u << 30); pb_raw(&m, "abc", 3);
        expect_fail(&m, HANT_ERR_FORMAT, "malformed", "length past the end"); free(m.p);
    }
    /* a varint longer than 10 bytes */
    {
        pb m = { 0 };
        pb_key(&m, 1, 0); pb_raw(&m, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
        expect_fail(&m, HANT_ERR_FORMAT, "malformed", "long varint"); free(m.p);
    }
    /* not protobuf at all, and an empty file */
    {
        pb m = { 0 };
        pb_raw(&m, "HANT\r\n\x1a\n\1\0\0\0", 12);
        expect_fail(&m, HANT_ERR_FORMAT, "", "hant magic"); free(m.p);
        pb e = { 0 };
        pb_raw(&e, "", 0);
        expect_fail(&e, HANT_ERR_FORMAT, "no graph", "empty file"); free(e.p);
    }
    /* dims whose product overflows */
    {
        pb g = { 0 };
        int64_t big[4] = { (int64_t)1 << 32, (int64_t)1 << 32, 16, 1 };
        node(&g, "Conv", "c", "x,ws", "y", 2, k3);
        pb t = { 0 };
        for (int k = 0; k < 4; k++) pb_int(&t, 1, big[k]);
        pb_int(&t, 2, 1); pb_str(&t, 8, "ws"); pb_len(&t, 9, w, 16);
        pb_sub(&g, 5, &t);
        tiny_io(&g);
        pb m = model_with_graph(&g, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "overflow", "overflowing dims"); free(m.p);
    }
    /* a huge shape (2^38 floats) that no data backs: refused before any allocation */
    {
        pb g = { 0 }, t = { 0 };
        pb_int(&t, 1, (int64_t)1 << 38); pb_int(&t, 2, 1); pb_str(&t, 8, "ws"); pb_f32(&t, 4, 1.0f);
        pb_sub(&g, 5, &t);
        node(&g, "Relu", "r", "x", "logits", 0, NULL);
        tiny_io(&g);
        pb m = model_with_graph(&g, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "1 data values", "huge shape without data"); free(m.p);
    }
    /* raw_data shorter than the shape, and a negative dimension */
    {
        pb g = { 0 };
        pb t = { 0 };
        for (int k = 0; k < 4; k++) pb_int(&t, 1, ds[k]);
        pb_int(&t, 2, 1); pb_str(&t, 8, "ws"); pb_len(&t, 9, w, 100);
        pb_sub(&g, 5, &t);
        node(&g, "Conv", "c", "x,ws", "y", 2, k3);
        tiny_io(&g);
        pb m = model_with_graph(&g, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "raw_data", "short raw_data"); free(m.p);
        pb g2 = { 0 }, t2 = { 0 };
        pb_int(&t2, 1, -4); pb_int(&t2, 2, 1); pb_str(&t2, 8, "ws");
        pb_sub(&g2, 5, &t2);
        node(&g2, "Conv", "c", "x,ws", "y", 2, k3);
        tiny_io(&g2);
        m = model_with_graph(&g2, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "negative", "negative dim"); free(m.p);
    }
    /* wrong types: a string tensor, dims as a fixed64, an int64 weight */
    {
        pb g = { 0 }, t = { 0 };
        pb_int(&t, 1, 1); pb_int(&t, 2, 8); pb_str(&t, 8, "ws"); pb_len(&t, 6, "a", 1);
        pb_sub(&g, 5, &t);
        tiny_io(&g);
        node(&g, "Relu", "r", "x", "logits", 0, NULL);
        pb m = model_with_graph(&g, 13);
        expect_fail(&m, HANT_ERR_UNSUPPORTED, "data type 8", "string tensor"); free(m.p);
        pb g2 = { 0 }, t2 = { 0 };
        pb_key(&t2, 1, 1); pb_raw(&t2, "\4\0\0\0\0\0\0\0", 8);
        pb_int(&t2, 2, 1); pb_str(&t2, 8, "ws");
        pb_sub(&g2, 5, &t2);
        tiny_io(&g2);
        node(&g2, "Relu", "r", "x", "logits", 0, NULL);
        m = model_with_graph(&g2, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "malformed TensorProto", "fixed64 dims"); free(m.p);
        pb g3 = { 0 };
        int64_t iw[108] = { 0 };
        itensor(&g3, 5, "ws", 4, ds, iw, 108);
        node(&g3, "Conv", "the_conv", "x,ws", "y", 2, k3);
        tiny_io(&g3);
        m = model_with_graph(&g3, 13);
        expect_fail(&m, HANT_ERR_UNSUPPORTED, "the_conv", "int64 weights"); free(m.p);
    }
    /* a cycle, and a missing initializer */
    {
        pb g = { 0 };
        node(&g, "Relu", "a", "x", "p", 0, NULL);
        node(&g, "Add", "b", "p,q", "r", 0, NULL);
        node(&g, "Relu", "c", "r", "q", 0, NULL);
        node(&g, "Relu", "d", "r", "logits", 0, NULL);
        tiny_io(&g);
        pb m = model_with_graph(&g, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "cycle", "cycle"); free(m.p);
        pb g2 = { 0 };
        node(&g2, "Conv", "conv7", "x,w_missing", "y", 2, k3);
        tiny_io(&g2);
        m = model_with_graph(&g2, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "w_missing", "missing initializer"); free(m.p);
    }
    /* NaN weights */
    {
        g_mode = RAW | NAN_W;
        pb m = build_model(g_dir);
        expect_fail(&m, HANT_ERR_NONFINITE, "dw_conv", "NaN weight"); free(m.p);
        g_mode = RAW;
    }
    /* unsupported: asymmetric padding, an unknown op, opset 5, two outputs, a custom domain */
    {
        pb g = { 0 };
        attr bad[2] = { { "kernel_shape", 7, 0, 0, 2, { 3, 3 } }, { "pads", 7, 0, 0, 4, { 0, 0, 1, 1 } } };
        tensor(&g, 5, "ws", 4, ds, w);
        node(&g, "Conv", "padconv", "x,ws", "y", 2, bad);
        node(&g, "GlobalAveragePool", "gap", "y", "z", 0, NULL);
        tiny_io(&g);
        pb m = model_with_graph(&g, 13);
        expect_fail(&m, HANT_ERR_UNSUPPORTED, "padconv", "asymmetric pads"); free(m.p);
        pb g2 = { 0 };
        tensor(&g2, 5, "ws", 4, ds, w); tensor(&g2, 5, "wf", 2, df, w);
        node(&g2, "Conv", "c", "x,ws", "y", 2, k3);
        node(&g2, "LpNormalization", "weird_node", "y", "z", 0, NULL);
        node(&g2, "GlobalAveragePool", "gap", "z", "g", 0, NULL);
        node(&g2, "Flatten", "fl", "g", "f", 0, NULL);
        node(&g2, "Gemm", "fc", "f,wf", "logits", 1, &tb);
        tiny_io(&g2);
        m = model_with_graph(&g2, 13);
        expect_fail(&m, HANT_ERR_UNSUPPORTED, "weird_node", "unknown op"); free(m.p);
        pb g3 = { 0 };
        node(&g3, "Relu", "r", "x", "logits", 0, NULL);
        tiny_io(&g3);
        m = model_with_graph(&g3, 5);
        expect_fail(&m, HANT_ERR_UNSUPPORTED, "opset 5", "opset 5"); free(m.p);
        pb g4 = { 0 }, n = { 0 };
        pb_str(&n, 1, "x"); pb_str(&n, 2, "logits"); pb_str(&n, 4, "Relu"); pb_str(&n, 7, "com.example");
        pb_sub(&g4, 1, &n);
        tiny_io(&g4);
        m = model_with_graph(&g4, 13);
        expect_fail(&m, HANT_ERR_UNSUPPORTED, "com.example", "custom domain"); free(m.p);
        /* two feature maps joined by another op than a residual Add: named as such */
        static const struct { const char *op, *name, *want; } joins[2] = {
            { "Concat", "branches", "'branches' (Concat) concatenates feature maps" },
            { "Pow", "pw", "'pw' (Pow): input 1 is a feature map" } };
        attr ax1 = { "axis", 2, 1, 0, 0, { 0 } };
        for (int j = 0; j < 2; j++) {
            pb gj = { 0 };
            node(&gj, "Relu", "r", "x", "xr", 0, NULL);
            node(&gj, joins[j].op, joins[j].name, "x,xr", "logits", j == 0, &ax1);
            tiny_io(&gj);
            m = model_with_graph(&gj, 13);
            expect_fail(&m, HANT_ERR_UNSUPPORTED, joins[j].want, joins[j].op); free(m.p);
        }
    }
    /* Q/DQ: a bad scale, a pair that does not undo itself, a u8 map read by
       another op, per-channel scales that do not match the weight */
    {
        float one = 1.0f, nanf_ = NAN, two = 2.0f, sc3[3] = { 1, 1, 1 };
        int64_t zero = 0, i8[108] = { 0 }, d3[1] = { 3 };
        for (int t = 0; t < 4; t++) {
            pb g = { 0 };
            tensor(&g, 5, "s", 0, NULL, t == 0 ? &nanf_ : &one);
            tensor(&g, 5, "s2", 0, NULL, &two);
            itensor(&g, 5, "z", 0, NULL, &zero, 1);
            itensor(&g, 5, "wq", 4, ds, i8, 108);
            tensor(&g, 5, "ws3", 1, d3, sc3);
            node(&g, "QuantizeLinear", "q", "x,s,z", "xq", 0, NULL);
            if (t == 2) node(&g, "Relu", "r", "xq", "xd", 0, NULL);
            else node(&g, "DequantizeLinear", "dq", t == 1 ? "xq,s2,z" : "xq,s,z", "xd", 0, NULL);
            attr ax = { "axis", 2, 0, 0, 0, { 0 } };
            node(&g, "DequantizeLinear", "wdq", t == 3 ? "wq,ws3" : "wq,s", "w", 1, &ax);
            node(&g, "Conv", "c", "xd,w", "y", 2, k3);
            node(&g, "Relu", "r2", "y", "logits", 0, NULL);
            tiny_io(&g);
            pb m = model_with_graph(&g, 13);
            static const char *want[4] = { "scale nan", "must undo the QuantizeLinear", "a quantised map", "3 scales along axis 0" };
            expect_fail(&m, HANT_ERR_UNSUPPORTED, want[t], "Q/DQ"); free(m.p);
        }
    }
    /* external data: past the end of its file, and a path leaving the folder */
    {
        g_mode = EXTERNAL;
        pb m = build_model(g_dir);
        char p[512];
        snprintf(p, sizeof p, "%s/weights.bin", g_dir);
        HT_CHECK(truncate(p, 100) == 0, "truncate");
        expect_fail(&m, HANT_ERR_FORMAT, "past the end", "external data truncated"); free(m.p);
        pb g = { 0 }, t = { 0 }, e = { 0 };
        pb_int(&t, 1, 1); pb_int(&t, 2, 1); pb_str(&t, 8, "ws");
        pb_str(&e, 1, "location"); pb_str(&e, 2, "../../etc/passwd"); pb_sub(&t, 13, &e);
        pb_int(&t, 14, 1);
        pb_sub(&g, 5, &t);
        node(&g, "Relu", "r", "x", "logits", 0, NULL);
        tiny_io(&g);
        m = model_with_graph(&g, 13);
        expect_fail(&m, HANT_ERR_FORMAT, "leaves the model's folder", "external path"); free(m.p);
        g_mode = RAW;
    }
}

static void test_bad_args(void) {
    hant_net *net = (hant_net *)1;
    HT_CHECK(hant_onnx_load(g_ctx, "/nonexistent/x.onnx", NULL, &net) == HANT_ERR_IO && net == NULL, "missing file");
    HT_CHECK(hant_onnx_load(NULL, "x", NULL, &net) == HANT_ERR_INVALID_ARG, "NULL context");
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    /* thousands of small files: in memory where there is /dev/shm */
    snprintf(g_dir, sizeof g_dir, "%s/hant_test_onnx_%ld", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm", (long)getpid());
    if (mkdir(g_dir, 0700)) { perror(g_dir); return 1; }
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 1;
    if (hant_context_create(&cfg, &g_ctx)) return 1;
    init_weights();
    HT_RUN(test_encodings);
    HT_RUN(test_origin_and_norm);
    HT_RUN(test_hostile);
    HT_RUN(test_truncation);
    HT_RUN(test_byte_flips);
    HT_RUN(test_bad_args);
    hant_context_destroy(g_ctx);
    char p[512];
    snprintf(p, sizeof p, "%s/m.onnx", g_dir); remove(p);
    snprintf(p, sizeof p, "%s/weights.bin", g_dir); remove(p);
    rmdir(g_dir);
    return HT_SUMMARY();
}
