/* hant_onnx_save: the written protobuf read back with a tiny decoder (model,
   graph, nodes in topological order, initializer sizes, folded and int8
   weights against values computed here), opsets, headless nets, and failures
   (unwritable path, uncalibrated int8, NaN, allocation failures) that leave
   no file behind.
   `test_onnx_export --emit DIR` writes one small net of each block kind
   (NAME.hant, NAME.onnx, NAME.x.npy input NCHW, NAME.y.npy hant's output,
   NAME.f.npy the fp32 twin's output for int8 nets) and DIR/list.txt
   ("NAME fp32|int8" lines) for tests/cli_export.sh to run under onnxruntime. */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"
#include <unistd.h>
#include <sys/stat.h>

/* ---- a protobuf reader just big enough for the checks --------------------- */
typedef struct { const unsigned char *p, *end; int bad; } pb;
static uint64_t pb_varint(pb *r) {
    uint64_t v = 0;
    for (int s = 0; s < 64 && r->p < r->end; s += 7) {
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) return v;
    }
    r->bad = 1;
    return 0;
}
/* Next field: its number, wire type, varint value or bytes. 0 at the end. */
static int pb_next(pb *r, int *wt, uint64_t *v, pb *sub) {
    if (r->bad || r->p >= r->end) return 0;
    uint64_t tag = pb_varint(r);
    *wt = (int)(tag & 7);
    if (*wt == 0) *v = pb_varint(r);
    else if (*wt == 2) {
        uint64_t n = pb_varint(r);
        if (n > (uint64_t)(r->end - r->p)) { r->bad = 1; return 0; }
        sub->p = r->p; sub->end = r->p + n; sub->bad = 0; r->p += n;
    } else if (*wt == 5) { if (r->end - r->p < 4) { r->bad = 1; return 0; } memcpy(v, r->p, 4); r->p += 4; }
    else if (*wt == 1) { if (r->end - r->p < 8) { r->bad = 1; return 0; } memcpy(v, r->p, 8); r->p += 8; }
    else { r->bad = 1; return 0; }
    return r->bad ? 0 : (int)(tag >> 3);
}
static void pb_str(const pb *s, char *buf, size_t cap) {
    size_t n = (size_t)(s->end - s->p);
    if (n >= cap) n = cap - 1;
    memcpy(buf, s->p, n); buf[n] = 0;
}

#define MAXN 4096
typedef struct { char op[32], name[96], in[3][64], out[64]; int nin; int64_t ints[8]; } node_t;
typedef struct { char name[96]; int type, nd; int64_t dims[4]; const unsigned char *raw; size_t rawlen; } init_t;
typedef struct {
    unsigned char *buf; size_t len;
    int64_t ir, opset; char producer[32];
    int nnodes, ninits;
    node_t *nodes; init_t *inits;
    char in_name[32], out_name[32]; int in_nd, out_nd; int64_t in_dims[4], out_dims[4]; int in_sym, out_sym;
} model_t;

static void parse_value(pb v, char *name, int *nd, int64_t *dims, int *sym) {
    int wt; uint64_t x; pb s, t, sh, d, dd;
    *nd = 0; *sym = 0;
    while (1) {
        int f = pb_next(&v, &wt, &x, &s);
        if (!f) break;
        if (f == 1) pb_str(&s, name, 32);
        if (f != 2) continue;
        while (pb_next(&s, &wt, &x, &t)) /* TypeProto.tensor_type */
            while (1) {
                int g = pb_next(&t, &wt, &x, &sh);
                if (!g) break;
                if (g != 2) continue;
                while (pb_next(&sh, &wt, &x, &d)) {
                    int64_t val = -1;
                    int h;
                    while ((h = pb_next(&d, &wt, &x, &dd))) { if (h == 1) val = (int64_t)x; if (h == 2 && *nd == 0) *sym = 1; }
                    if (*nd < 4) dims[(*nd)++] = val;
                }
            }
    }
}

static int load_model(const char *path, model_t *m) {
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
    m->buf = malloc((size_t)n + 1); m->len = (size_t)n;
    if (fread(m->buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); return 0; }
    fclose(f);
    m->nodes = calloc(MAXN, sizeof(node_t)); m->inits = calloc(MAXN, sizeof(init_t));
    pb r = { m->buf, m->buf + n, 0 }, s, g, a, b;
    int wt, f1, ok = 0;
    uint64_t v;
    while ((f1 = pb_next(&r, &wt, &v, &s))) {
        if (f1 == 1) m->ir = (int64_t)v;
        else if (f1 == 2) pb_str(&s, m->producer, sizeof m->producer);
        else if (f1 == 8) { int h; while ((h = pb_next(&s, &wt, &v, &a))) if (h == 2) m->opset = (int64_t)v; }
        else if (f1 == 7) {
            ok = 1;
            int h;
            while ((h = pb_next(&s, &wt, &v, &g))) {
                if (h == 1 && m->nnodes < MAXN) {
                    node_t *nd = &m->nodes[m->nnodes++];
                    int k, ni = 0;
                    while ((k = pb_next(&g, &wt, &v, &a))) {
                        if (k == 1 && nd->nin < 3) pb_str(&a, nd->in[nd->nin++], 64);
                        if (k == 2) pb_str(&a, nd->out, 64);
                        if (k == 3) pb_str(&a, nd->name, 96);
                        if (k == 4) pb_str(&a, nd->op, 32);
                        if (k == 5) { int q; while ((q = pb_next(&a, &wt, &v, &b))) if ((q == 3 || q == 8) && ni < 8) nd->ints[ni++] = (int64_t)v; }
                    }
                } else if (h == 5 && m->ninits < MAXN) {
                    init_t *t = &m->inits[m->ninits++];
                    int k;
                    while ((k = pb_next(&g, &wt, &v, &a))) {
                        if (k == 1 && t->nd < 4) t->dims[t->nd++] = (int64_t)v;
                        if (k == 2) t->type = (int)v;
                        if (k == 8) pb_str(&a, t->name, 96);
                        if (k == 9) { t->raw = a.p; t->rawlen = (size_t)(a.end - a.p); }
                    }
                } else if (h == 11) parse_value(g, m->in_name, &m->in_nd, m->in_dims, &m->in_sym);
                else if (h == 12) parse_value(g, m->out_name, &m->out_nd, m->out_dims, &m->out_sym);
            }
            if (s.bad) ok = 0;
        }
    }
    return ok && !r.bad;
}
static void free_model(model_t *m) { free(m->buf); free(m->nodes); free(m->inits); }
static const init_t *find_init(const model_t *m, const char *name) {
    for (int i = 0; i < m->ninits; i++) if (!strcmp(m->inits[i].name, name)) return &m->inits[i];
    return NULL;
}
static int count_op(const model_t *m, const char *op) {
    int c = 0;
    for (int i = 0; i < m->nnodes; i++) c += !strcmp(m->nodes[i].op, op);
    return c;
}
static float raw_f32(const init_t *t, size_t i) { uint32_t u = 0; for (int b = 0; b < 4; b++) u |= (uint32_t)t->raw[4 * i + b] << (8 * b); float f; memcpy(&f, &u, 4); return f; }
static int32_t raw_s32(const init_t *t, size_t i) { uint32_t u = 0; for (int b = 0; b < 4; b++) u |= (uint32_t)t->raw[4 * i + b] << (8 * b); return (int32_t)u; }

/* Names defined before use, outputs unique, raw data sizes match the dims. */
static void check_graph(const model_t *m, const char *what) {
    static const int esize[12] = { 0, 4, 1, 1, 0, 0, 4, 8 };
    for (int i = 0; i < m->ninits; i++) {
        const init_t *t = &m->inits[i];
        size_t cnt = 1;
        for (int d = 0; d < t->nd; d++) cnt *= (size_t)t->dims[d];
        HT_CHECK(t->type >= 1 && t->type <= 7 && esize[t->type] && t->rawlen == cnt * (size_t)esize[t->type],
                 "%s: initializer %s: type %d, %zu raw bytes for %zu elements", what, t->name, t->type, t->rawlen, cnt);
    }
    for (int i = 0; i < m->nnodes; i++) {
        const node_t *n = &m->nodes[i];
        for (int k = 0; k < n->nin; k++) {
            int found = !strcmp(n->in[k], m->in_name) || find_init(m, n->in[k]);
            for (int j = 0; j < i && !found; j++) found = !strcmp(m->nodes[j].out, n->in[k]);
            HT_CHECK(found, "%s: node %s (%s) reads %s before it is defined", what, n->name, n->op, n->in[k]);
        }
        for (int j = 0; j < i; j++) HT_CHECK(strcmp(m->nodes[j].out, n->out), "%s: %s written twice", what, n->out);
        HT_CHECK(n->name[0] && n->op[0], "%s: node %d without name or op", what, i);
    }
    int produced = 0;
    for (int i = 0; i < m->nnodes; i++) produced |= !strcmp(m->nodes[i].out, m->out_name);
    HT_CHECK(produced, "%s: no node writes the output %s", what, m->out_name);
}

/* ---- the small nets: one per block kind ------------------------------------ */
static hant_block_spec blk(hant_block_kind kind, int cin, int cout, int e, int k, int s, float se, hant_act act, int g, int quant) {
    hant_block_spec b;
    memset(&b, 0, sizeof b);
    b.kind = kind; b.cin = cin; b.cout = cout; b.expansion = e; b.kernel = k; b.stride = s; b.se_ratio = se; b.act = act;
    b.groups = g; b.quant = quant;
    return b;
}
#define Q8 HANT_QUANT_INT8
#define NNETS 11
static const char *net_names[NNETS] = { "mbconv", "tiled", "fused", "conv", "int8", "int8fused", "headless", "identity",
                                        "resnet", "mbv3", "int8resnet" };
static void make_arch(int which, hant_arch *a) {
    memset(a, 0, sizeof *a);
    a->in_h = a->in_w = 11; a->in_c = 3; a->num_classes = 5; a->bn_eps = 1e-3f;
    a->stem_cout = 8; a->stem_kernel = 3; a->stem_stride = 2; a->stem_act = HANT_ACT_RELU6;
    a->head_cout = 32; a->head_act = HANT_ACT_SILU;
    hant_block_spec *B = a->blocks;
    int n = 0;
    switch (which) {
    case 0: case 1:
        B[n++] = blk(HANT_BLOCK_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_SILU, 1, 0);
        B[n++] = blk(HANT_BLOCK_MBCONV, 8, 16, 4, 5, 2, 0, HANT_ACT_RELU6, 1, 0);
        B[n++] = blk(HANT_BLOCK_MBCONV, 16, 16, 3, 3, 1, 0.5f, HANT_ACT_HSWISH, 1, 0);
        if (which == 1) for (int i = 0; i < n; i++) B[i].tiled = 1;
        break;
    case 2:
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_RELU, 1, 0);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 8, 16, 4, 3, 2, 0.25f, HANT_ACT_SIGMOID, 1, 0);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 16, 16, 2, 5, 1, 0, HANT_ACT_SILU, 1, 0);
        a->head_cout = 0; a->head_act = HANT_ACT_NONE;
        break;
    case 3:
        B[n++] = blk(HANT_BLOCK_CONV, 8, 16, 1, 3, 2, 0, HANT_ACT_RELU, 2, 0);
        B[n++] = blk(HANT_BLOCK_CONV, 16, 16, 1, 3, 1, 0, HANT_ACT_RELU6, 16, 0);
        B[n++] = blk(HANT_BLOCK_IDENTITY, 16, 16, 1, 1, 1, 0, HANT_ACT_NONE, 1, 0);
        B[n++] = blk(HANT_BLOCK_CONV, 16, 24, 1, 1, 1, 0, HANT_ACT_HSWISH, 1, 0);
        a->head_act = HANT_ACT_HSWISH;
        break;
    case 4:
        B[n++] = blk(HANT_BLOCK_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_SILU, 1, Q8);
        B[n++] = blk(HANT_BLOCK_MBCONV, 8, 16, 4, 3, 2, 0, HANT_ACT_RELU, 1, Q8);
        B[n++] = blk(HANT_BLOCK_CONV, 16, 16, 1, 3, 1, 0, HANT_ACT_SILU, 1, Q8);
        B[n++] = blk(HANT_BLOCK_CONV, 16, 16, 1, 3, 1, 0, HANT_ACT_RELU, 16, Q8);
        B[n++] = blk(HANT_BLOCK_MBCONV, 16, 16, 3, 5, 1, 0.25f, HANT_ACT_HSWISH, 1, 0);
        a->head_quant = Q8; a->head_act = HANT_ACT_RELU;
        break;
    case 5:
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 8, 8, 1, 3, 1, 0.25f, HANT_ACT_HSWISH, 1, Q8);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 8, 16, 2, 3, 2, 0, HANT_ACT_RELU6, 1, Q8);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 16, 16, 2, 3, 1, 0.5f, HANT_ACT_SIGMOID, 1, Q8);
        break;
    case 6: /* one block, no stem, no head: the output is the feature map */
        a->stem_cout = a->stem_kernel = a->stem_stride = 0; a->stem_act = HANT_ACT_NONE; a->in_c = 8; a->in_h = a->in_w = 7; a->num_classes = 0; a->head_cout = 0; a->head_act = HANT_ACT_NONE;
        B[n++] = blk(HANT_BLOCK_MBCONV, 8, 12, 2, 3, 2, 0.25f, HANT_ACT_SILU, 1, 0);
        break;
    case 7:
        a->stem_cout = a->stem_kernel = a->stem_stride = 0; a->stem_act = HANT_ACT_NONE; a->in_c = 4; a->in_h = a->in_w = 5; a->num_classes = 0; a->head_cout = 0; a->head_act = HANT_ACT_NONE;
        B[n++] = blk(HANT_BLOCK_IDENTITY, 4, 4, 1, 1, 1, 0, HANT_ACT_NONE, 1, 0);
        break;
    case 8: case 10: /* ResNet: stem max-pool, identity and projection shortcuts, act after the add */
        a->in_h = a->in_w = 23; a->stem_stride = 2; a->stem_pool = 3; a->stem_act = HANT_ACT_RELU; a->head_cout = 0; a->head_act = HANT_ACT_NONE;
        B[n++] = blk(HANT_BLOCK_RESNET_BASIC, 8, 8, 1, 3, 1, 0, HANT_ACT_RELU, 1, which == 10 ? Q8 : 0);
        B[n++] = blk(HANT_BLOCK_RESNET_BASIC, 8, 12, 1, 3, 2, 0, HANT_ACT_RELU, 1, which == 10 ? Q8 : 0);
        B[n] = blk(HANT_BLOCK_RESNET_BASIC, 12, 16, 1, 3, 1, 0, HANT_ACT_RELU, 1, which == 10 ? Q8 : 0); B[n++].hidden = 6;
        B[n++] = blk(HANT_BLOCK_RESNET_BOTTLENECK, 16, 16, 1, 3, 1, 0, HANT_ACT_RELU, 1, 0);
        B[n++] = blk(HANT_BLOCK_RESNET_BOTTLENECK, 16, 24, 1, 3, 2, 0, HANT_ACT_RELU, 1, which == 10 ? Q8 : 0);
        B[n] = blk(HANT_BLOCK_RESNET_BOTTLENECK, 24, 24, 1, 3, 1, 0, HANT_ACT_HSWISH, 1, 0); B[n++].hidden = 5;
        if (which == 10) { a->head_cout = 32; a->head_act = HANT_ACT_RELU; a->head_quant = Q8; }
        break;
    case 9: /* MobileNetV3-like: hidden widths, SE width / relu / hard-sigmoid, hidden FC head */
        a->stem_act = HANT_ACT_HSWISH; a->head_cout = 24; a->head_act = HANT_ACT_HSWISH; a->head_hidden = 20; a->head_hidden_act = HANT_ACT_HSWISH;
        B[n] = blk(HANT_BLOCK_MBCONV, 8, 8, 1, 3, 1, 0, HANT_ACT_RELU, 1, 0); B[n].hidden = 8; B[n].se_width = 4;
        B[n].se_act = HANT_ACT_RELU; B[n].se_gate = HANT_ACT_HSIGMOID; n++;
        B[n] = blk(HANT_BLOCK_MBCONV, 8, 12, 1, 5, 2, 0, HANT_ACT_HSWISH, 1, 0); B[n].hidden = 20; B[n].se_width = 6;
        B[n].se_act = HANT_ACT_RELU; B[n].se_gate = HANT_ACT_HSIGMOID; n++;
        B[n] = blk(HANT_BLOCK_MBCONV, 12, 12, 1, 3, 1, 0, HANT_ACT_HSWISH, 1, Q8); B[n].hidden = 30; B[n].se_width = 8;
        B[n].se_act = HANT_ACT_RELU; B[n].se_gate = HANT_ACT_HSIGMOID; n++;
        B[n] = blk(HANT_BLOCK_MBCONV, 12, 12, 1, 3, 1, 0, HANT_ACT_SILU, 1, 0); B[n].hidden = 17; B[n].se_width = 5; B[n].se_gate = HANT_ACT_HSIGMOID; n++;
        break;
    }
    a->num_blocks = n;
}

static hant_context *g_ctx;
#define NB 3

/* A net with random BN; int8 nets calibrated on random input. */
static hant_net *make_net(int which, uint64_t seed) {
    hant_arch a;
    make_arch(which, &a);
    hant_net *net = NULL;
    if (hant_net_create(g_ctx, &a, seed, &net)) { fprintf(stderr, "%s: %s\n", net_names[which], hant_last_error()); return NULL; }
    ht_seed(seed);
    ht_randomise_bn(net);
    size_t np;
    float *P = hant_net_param_data(net, &np);
    for (int i = 0; i < net->nses; i++) /* SE biases are zero at init: make them count */
        for (int c = 0; c < net->ses[i].c; c++) P[net->ses[i].b2 + c] = ht_uniform(-1, 1);
    if (net->nq8) {
        int n = 16, sz = a.in_h * a.in_w * a.in_c;
        float *x = malloc(sizeof(float) * (size_t)n * sz);
        ht_fill(x, (size_t)n * sz, -2, 2);
        hant_status st = hant_net_calibrate(net, x, n, 100);
        free(x);
        if (st) { fprintf(stderr, "calibrate: %s\n", hant_last_error()); hant_net_destroy(net); return NULL; }
    }
    return net;
}

static char g_dir[256];
static void path_of(char *buf, const char *name) { snprintf(buf, 512, "%s/%s", g_dir, name); }

static void test_structure(void) {
    for (int which = 0; which < NNETS; which++) {
        hant_net *net = make_net(which, 7 + (uint64_t)which);
        HT_CHECK(net, "%s: net", net_names[which]);
        if (!net) continue;
        char p[512];
        path_of(p, "s.onnx");
        hant_status st = hant_onnx_save(net, p, NULL);
        HT_CHECK(st == HANT_OK, "%s: save: %s", net_names[which], hant_last_error());
        model_t m;
        HT_CHECK(load_model(p, &m), "%s: the file does not parse", net_names[which]);
        const hant_arch *a = hant_net_arch(net);
        HT_CHECK(m.ir == 7 && m.opset == 13 && !strcmp(m.producer, "hant"), "%s: ir %lld opset %lld producer %s", net_names[which],
                 (long long)m.ir, (long long)m.opset, m.producer);
        HT_CHECK(!strcmp(m.in_name, "input") && m.in_nd == 4 && m.in_sym && m.in_dims[1] == a->in_c && m.in_dims[2] == a->in_h &&
                     m.in_dims[3] == a->in_w, "%s: input %s rank %d", net_names[which], m.in_name, m.in_nd);
        if (a->num_classes)
            HT_CHECK(!strcmp(m.out_name, "logits") && m.out_nd == 2 && m.out_sym && m.out_dims[1] == a->num_classes,
                     "%s: output %s rank %d", net_names[which], m.out_name, m.out_nd);
        else
            HT_CHECK(!strcmp(m.out_name, "features") && m.out_nd == 4 && m.out_sym && m.out_dims[1] == net->slot_c[net->out_slot] &&
                         m.out_dims[2] == net->slot_h[net->out_slot], "%s: output %s rank %d", net_names[which], m.out_name, m.out_nd);
        check_graph(&m, net_names[which]);
        int fc = 0, q8 = 0, q8w = 0, maxpool = 0;
        for (int i = 0; i < net->nunits; i++) {
            fc += net->units[i].s.h == 1 && !net->units[i].has_bn;
            q8w += net->units[i].q8; q8 += net->units[i].q8 && net->units[i].qshare < 0;
        }
        for (int i = 0; i < net->nops; i++) maxpool += net->ops[i].type == HANT__OP_MAXPOOL;
        HT_CHECK(count_op(&m, "MaxPool") == maxpool, "%s: %d MaxPool", net_names[which], count_op(&m, "MaxPool"));
        HT_CHECK(count_op(&m, "Conv") == net->nunits - fc + 2 * net->nses && count_op(&m, "Gemm") == fc, "%s: %d Conv, %d Gemm for %d units, %d SE",
                 net_names[which], count_op(&m, "Conv"), count_op(&m, "Gemm"), net->nunits, net->nses);
        HT_CHECK(count_op(&m, "QuantizeLinear") == q8 && count_op(&m, "DequantizeLinear") == q8 + 2 * q8w, "%s: %d Q, %d DQ for %d int8 convs",
                 net_names[which], count_op(&m, "QuantizeLinear"), count_op(&m, "DequantizeLinear"), q8w);
        if (which == 7) HT_CHECK(m.nnodes == 1 && !strcmp(m.nodes[0].op, "Identity"), "identity net: %d nodes", m.nnodes);
        /* the stem: BN folded by hand, OIHW */
        const init_t *W = find_init(&m, "stem/conv0/W"), *Bi = find_init(&m, "stem/conv0/B");
        if (a->stem_cout) {
            HT_CHECK(W && Bi && W->nd == 4 && W->dims[0] == a->stem_cout && W->dims[1] == a->in_c && W->dims[2] == 3 && W->dims[3] == 3,
                     "%s: stem weights", net_names[which]);
            const hant__unit *u = &net->units[0];
            double worst = 0;
            for (int co = 0; W && Bi && co < a->stem_cout; co++) {
                double sc = net->params[u->gamma + co] / sqrt((double)net->buffers[u->rvar + co] + a->bn_eps);
                double b = net->params[u->beta + co] - net->buffers[u->rmean + co] * sc;
                worst = fmax(worst, fabs(raw_f32(Bi, (size_t)co) - b));
                for (int ci = 0; ci < a->in_c; ci++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            double w = net->params[u->w + ((size_t)(ky * 3 + kx) * a->in_c + ci) * a->stem_cout + co] * sc;
                            worst = fmax(worst, fabs(raw_f32(W, (((size_t)co * a->in_c + ci) * 3 + ky) * 3 + kx) - w));
                        }
            }
            HT_CHECK(worst < 1e-5, "%s: stem weights/bias off by %g", net_names[which], worst);
        }
        /* int8 convs: the calibrated input parameters; weights and bias on their grids */
        int qi = 0;
        for (int i = 0; i < net->nops; i++) {
            const hant__op *o = &net->ops[i];
            if (o->type != HANT__OP_UNIT || !net->units[o->idx].q8 || net->units[o->idx].qshare >= 0) continue;
            const hant__unit *u = &net->units[o->idx];
            const node_t *q = NULL;
            for (int j = 0, c = 0; j < m.nnodes; j++) if (!strcmp(m.nodes[j].op, "QuantizeLinear") && c++ == qi) q = &m.nodes[j];
            qi++;
            HT_CHECK(q && q->nin == 3, "%s: no QuantizeLinear for unit %d", net_names[which], o->idx);
            if (!q) continue;
            const init_t *xs = find_init(&m, q->in[1]), *xz = find_init(&m, q->in[2]);
            HT_CHECK(xs && xz && xs->nd == 0 && xz->type == 2 && raw_f32(xs, 0) == u->qin.scale && xz->raw[0] == u->qin.zero_point,
                     "%s: unit %d input parameters", net_names[which], o->idx);
            char base[96], nm[128];
            snprintf(base, sizeof base, "%s", q->name);
            *strrchr(base, '/') = 0;
            snprintf(nm, sizeof nm, "%s/W_q", base); const init_t *wq = find_init(&m, nm);
            snprintf(nm, sizeof nm, "%s/W_scale", base); const init_t *ws = find_init(&m, nm);
            snprintf(nm, sizeof nm, "%s/B_q", base); const init_t *bq = find_init(&m, nm);
            snprintf(nm, sizeof nm, "%s/B_scale", base); const init_t *bs = find_init(&m, nm);
            HT_CHECK(wq && ws && bq && bs && wq->type == 3 && bq->type == 6, "%s: %s weights", net_names[which], base);
            if (!wq || !ws || !bq || !bs) continue;
            int C = u->s.cout;
            size_t rows = u->wcount / (size_t)C;
            int k2 = u->s.kernel * u->s.kernel, cig = (int)(rows / (size_t)k2);
            for (int co = 0; co < C; co++) {
                float s = raw_f32(ws, (size_t)co);
                int mx = 0, off = 0;
                for (int ci = 0; ci < cig; ci++)
                    for (int p = 0; p < k2; p++) {
                        int v = (int8_t)wq->raw[((size_t)co * cig + ci) * k2 + p];
                        mx = abs(v) > mx ? abs(v) : mx;
                        off += fabs(v * s - u->fw[((size_t)p * cig + ci) * C + co]) > 0.5001 * s;
                    }
                HT_CHECK(mx == hant_int8_weight_max() && off == 0, "%s: %s channel %d: max |q| %d, %d weights off the grid", net_names[which], base, co, mx, off);
                double bsc = (double)u->qin.scale * s;
                HT_CHECK(fabs(raw_f32(bs, (size_t)co) - bsc) <= 1e-6 * bsc && fabs(raw_s32(bq, (size_t)co) * bsc - u->fb[co]) <= 0.5001 * bsc,
                         "%s: %s bias %d", net_names[which], base, co);
            }
        }
        free_model(&m);
        hant_net_destroy(net);
        remove(p);
    }
}

/* opset 13 writes hard-swish as HardSigmoid * x; 14 as HardSwish. */
static void test_opsets(void) {
    hant_net *net = make_net(0, 3);
    if (!net) { HT_CHECK(0, "net"); return; }
    char p[512];
    path_of(p, "o.onnx");
    int hs = 0;
    for (int i = 0; i < net->nunits; i++) hs += net->units[i].act == HANT_ACT_HSWISH;
    for (int opset = 13; opset <= 21; opset += 8) {
        hant_onnx_export_options o = { opset };
        HT_CHECK(hant_onnx_save(net, p, &o) == HANT_OK, "opset %d: %s", opset, hant_last_error());
        model_t m;
        HT_CHECK(load_model(p, &m) && m.opset == opset && m.ir == (opset == 13 ? 7 : 10), "opset %d: model %lld ir %lld", opset, (long long)m.opset, (long long)m.ir);
        if (opset == 13) HT_CHECK(count_op(&m, "HardSigmoid") == hs && !count_op(&m, "HardSwish"), "opset 13: %d HardSigmoid", count_op(&m, "HardSigmoid"));
        else HT_CHECK(count_op(&m, "HardSwish") == hs && !count_op(&m, "HardSigmoid"), "opset %d: %d HardSwish", opset, count_op(&m, "HardSwish"));
        check_graph(&m, "opsets");
        free_model(&m);
    }
    for (int bad = 0; bad < 3; bad++) {
        hant_onnx_export_options o = { bad == 0 ? 12 : bad == 1 ? 22 : -1 };
        HT_CHECK(hant_onnx_save(net, p, &o) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "opset"), "opset %d accepted", o.opset);
    }
    hant_net_destroy(net);
    remove(p);
}

static int exists(const char *p) { struct stat s; return stat(p, &s) == 0; }
/* no NAME.tmp* left beside a target in g_dir */
static int tmp_left(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q '\\.tmp'", g_dir);
    return system(cmd) == 0;
}

static int fail_after = -1;
static void *counting_alloc(size_t size, void *user) { (void)user; if (fail_after == 0) return NULL; if (fail_after > 0) fail_after--; return malloc(size); }
static void counting_free(void *p, void *user) { (void)user; free(p); }

static void test_failures(void) {
    hant_net *net = make_net(4, 5);
    if (!net) { HT_CHECK(0, "net"); return; }
    char p[512], d[512];
    /* a directory that does not exist: IO error naming the path, nothing written */
    snprintf(p, sizeof p, "%s/no/such/dir/m.onnx", g_dir);
    HT_CHECK(hant_onnx_save(net, p, NULL) == HANT_ERR_IO && strstr(hant_last_error(), "no/such/dir/m.onnx"), "missing dir: %s", hant_last_error());
    /* the target is a directory: the rename fails, the directory and the folder stay clean */
    path_of(d, "adir");
    mkdir(d, 0755);
    HT_CHECK(hant_onnx_save(net, d, NULL) == HANT_ERR_IO && strstr(hant_last_error(), "adir"), "directory target: %s", hant_last_error());
    HT_CHECK(!tmp_left(), "a temporary file was left behind");
    rmdir(d);
    /* an existing file is replaced whole, or left alone on failure */
    path_of(p, "keep.onnx");
    FILE *f = fopen(p, "wb"); fputs("old", f); fclose(f);
    hant_onnx_export_options bad = { 99 };
    HT_CHECK(hant_onnx_save(net, p, &bad) != HANT_OK, "opset 99");
    struct stat s;
    HT_CHECK(stat(p, &s) == 0 && s.st_size == 3, "a failed export touched the existing file");
    HT_CHECK(hant_onnx_save(net, p, NULL) == HANT_OK && stat(p, &s) == 0 && s.st_size > 1000, "overwrite: %s", hant_last_error());
    remove(p);
    /* uncalibrated int8 */
    path_of(p, "u.onnx");
    hant_net_set_block_qparams(net, 1, NULL, 0);
    HT_CHECK(hant_onnx_save(net, p, NULL) == HANT_ERR_INVALID_ARG && strstr(hant_last_error(), "block 1 is int8 but not calibrated"), "uncalibrated: %s",
             hant_last_error());
    HT_CHECK(!exists(p), "uncalibrated: file written");
    hant_net_destroy(net);
    /* NaN parameter */
    net = make_net(0, 5);
    size_t np;
    hant_net_param_data(net, &np)[np / 2] = NAN;
    HT_CHECK(hant_onnx_save(net, p, NULL) == HANT_ERR_NONFINITE && !exists(p), "NaN: %s", hant_last_error());
    hant_net_destroy(net);
    /* allocation failures at every step of the export: an error, no file, no crash */
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 1; cfg.alloc.alloc = counting_alloc; cfg.alloc.free = counting_free;
    hant_context *ctx;
    HT_CHECK(hant_context_create(&cfg, &ctx) == HANT_OK, "context");
    hant_context *keep = g_ctx;
    g_ctx = ctx;
    net = make_net(4, 9);
    g_ctx = keep;
    if (!net) { HT_CHECK(0, "net on the counting allocator"); hant_context_destroy(ctx); return; }
    HT_CHECK(hant_onnx_save(net, p, NULL) == HANT_OK, "save before the failure runs"); /* folds the weights first */
    remove(p);
    int fails = 0, oks = 0;
    for (int k = 0; k < 400; k++) {
        fail_after = k;
        hant_status st = hant_onnx_save(net, p, NULL);
        fail_after = -1;
        if (st == HANT_OK) { oks++; remove(p); break; }
        fails++;
        HT_CHECK(st == HANT_ERR_OUT_OF_MEMORY && !exists(p), "allocation %d: %s (%s)", k, hant_status_string(st), hant_last_error());
    }
    HT_CHECK(fails > 5 && oks == 1, "%d failing allocations, then %d success", fails, oks);
    hant_net_destroy(net);
    hant_context_destroy(ctx);
}

/* export -> hant_onnx_load -> the same blocks and the same function: every
   kind, headless and stemless nets, int8 blocks with their calibrated
   parameters (int8 inference on both sides). */
static void test_round_trip(void) {
    static const char *must[] = { "mbconv", "tiled", "fused", "conv", "int8", "int8fused", "headless", "identity", "resnet", "mbv3", "int8resnet" };
    for (int which = 0; which < NNETS; which++) {
        hant_net *net = make_net(which, 21 + (uint64_t)which), *back = NULL;
        if (!net) { HT_CHECK(0, "%s: net", net_names[which]); continue; }
        int required = 0;
        for (size_t k = 0; k < sizeof must / sizeof must[0]; k++) required |= !strcmp(must[k], net_names[which]);
        char p[512];
        path_of(p, "rt.onnx");
        HT_CHECK(hant_onnx_save(net, p, NULL) == HANT_OK, "%s: save: %s", net_names[which], hant_last_error());
        hant_status st = hant_onnx_load(g_ctx, p, NULL, &back);
        HT_CHECK(st == HANT_OK || !required, "%s: import of the export: %s", net_names[which], hant_last_error());
        HT_CHECK(st == HANT_OK || (st < 0 && !back && hant_last_error()[0]), "%s: a failed import without a message", net_names[which]);
        if (st && getenv("HT_VERBOSE")) fprintf(stderr, "  round trip %s: not imported: %.160s\n", net_names[which], hant_last_error());
        if (!st) {
            const hant_arch *a = hant_net_arch(net);
            int sz = a->in_h * a->in_w * a->in_c, osz = hant_net_output_size(net);
            HT_CHECK(hant_net_output_size(back) == osz && hant_net_params(back) == hant_net_params(net), "%s: %d outputs, %lld parameters after the round trip (%d, %lld)",
                     net_names[which], hant_net_output_size(back), (long long)hant_net_params(back), osz, (long long)hant_net_params(net));
            /* the same blocks (an identity block exports as nothing) */
            const hant_arch *b = hant_net_arch(back);
            int j = 0, same = b->num_classes == a->num_classes && b->stem_cout == a->stem_cout && b->head_cout == a->head_cout && b->head_quant == a->head_quant;
            for (int i = 0; i < a->num_blocks && same; i++) {
                const hant_block_spec *s0 = &a->blocks[i], *s1 = &b->blocks[j];
                if (s0->kind == HANT_BLOCK_IDENTITY) continue;
                same = j < b->num_blocks && s1->kind == s0->kind && s1->cin == s0->cin && s1->cout == s0->cout && s1->kernel == s0->kernel &&
                       s1->stride == s0->stride && s1->act == s0->act && hant__block_hidden(s1) == hant__block_hidden(s0) &&
                       (s1->groups ? s1->groups : 1) == (s0->groups ? s0->groups : 1) && hant__block_has_se(s1) == hant__block_has_se(s0) &&
                       s1->quant == s0->quant;
                j++;
            }
            HT_CHECK(same && j == b->num_blocks, "%s: the imported blocks differ (block %d)", net_names[which], j);
            HT_CHECK(back->nq8 == net->nq8 && hant_net_int8_ready(back), "%s: %d int8 convs after the round trip (%d), calibrated %d", net_names[which],
                     back->nq8, net->nq8, hant_net_int8_ready(back));
            if (hant_net_output_size(back) == osz) {
                float *x = malloc(sizeof(float) * NB * (size_t)sz), *y0 = malloc(sizeof(float) * NB * (size_t)osz), *y1 = malloc(sizeof(float) * NB * (size_t)osz);
                ht_fill(x, (size_t)NB * sz, -2, 2);
                HT_CHECK(hant_net_forward(net, x, NB, y0) == HANT_OK && hant_net_forward(back, x, NB, y1) == HANT_OK, "%s: forward", net_names[which]);
                double mx = 0, d = 0;
                for (size_t i = 0; i < (size_t)NB * osz; i++) { mx = fmax(mx, fabs(y0[i])); d = fmax(d, fabs((double)y0[i] - y1[i])); }
                HT_CHECK(d <= 2e-6 * mx, "%s: max |export -> import - original| = %g of %g", net_names[which], d, mx);
                if (getenv("HT_VERBOSE")) fprintf(stderr, "  round trip %s: %.2e relative\n", net_names[which], d / mx);
                free(x); free(y0); free(y1);
            }
        }
        hant_net_destroy(back);
        hant_net_destroy(net);
        remove(p);
    }
}

/* the same parameters without quantisation */
static hant_net *fp32_twin(hant_net *net) {
    hant_arch f = *hant_net_arch(net);
    f.head_quant = 0;
    for (int i = 0; i < f.num_blocks; i++) f.blocks[i].quant = 0;
    hant_net *fn = NULL;
    if (hant_net_create(g_ctx, &f, 1, &fn)) return NULL;
    memcpy(hant_net_param_data(fn, NULL), net->params, net->nparams * sizeof(float));
    memcpy(hant_net_buffer_data(fn, NULL), net->buffers, net->nbuffers * sizeof(float));
    return fn;
}

/* Block sequences that read ambiguously (a conv block then a fused block, a
   fused block without expansion and SE that is a conv block, a 1x1 conv block
   before an MBConv without expansion): the import may choose other block
   kinds but must give the same function with the same parameters, in fp32
   and all int8. */
static void test_round_trip_mixed(void) {
    for (int q = 0; q < 2; q++) {
        hant_arch a;
        memset(&a, 0, sizeof a);
        a.in_h = a.in_w = 13; a.in_c = 3; a.num_classes = 4; a.bn_eps = 1e-5f;
        a.stem_cout = 8; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_RELU;
        a.head_cout = 24; a.head_act = HANT_ACT_HSWISH; a.head_quant = q ? Q8 : 0;
        hant_block_spec *B = a.blocks;
        int n = 0, Q = q ? Q8 : 0;
        B[n++] = blk(HANT_BLOCK_CONV, 8, 16, 1, 3, 1, 0, HANT_ACT_RELU, 1, Q);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 16, 16, 4, 3, 1, 0, HANT_ACT_SILU, 1, Q);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 16, 16, 1, 3, 1, 0, HANT_ACT_RELU6, 1, Q);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 16, 24, 1, 3, 2, 0, HANT_ACT_RELU, 1, Q);
        B[n++] = blk(HANT_BLOCK_CONV, 24, 24, 1, 5, 1, 0, HANT_ACT_RELU, 24, Q);
        B[n++] = blk(HANT_BLOCK_MBCONV, 24, 24, 1, 3, 1, 0, HANT_ACT_SILU, 1, Q);
        B[n++] = blk(HANT_BLOCK_CONV, 24, 16, 1, 1, 1, 0, HANT_ACT_RELU, 1, Q);
        B[n++] = blk(HANT_BLOCK_MBCONV, 16, 16, 1, 3, 2, 0, HANT_ACT_RELU, 1, Q);
        B[n++] = blk(HANT_BLOCK_FUSED_MBCONV, 16, 16, 1, 3, 1, 0.25f, HANT_ACT_HSWISH, 1, Q);
        B[n++] = blk(HANT_BLOCK_CONV, 16, 16, 1, 3, 1, 0, HANT_ACT_SILU, 1, Q);
        a.num_blocks = n;
        hant_net *net = NULL, *back = NULL;
        if (hant_net_create(g_ctx, &a, 5 + (uint64_t)q, &net)) { HT_CHECK(0, "mixed net: %s", hant_last_error()); return; }
        ht_seed(9);
        ht_randomise_bn(net);
        int sz = a.in_h * a.in_w * a.in_c, osz = hant_net_output_size(net);
        float *x = malloc(sizeof(float) * NB * (size_t)sz), *y0 = malloc(sizeof(float) * NB * (size_t)osz), *y1 = malloc(sizeof(float) * NB * (size_t)osz);
        ht_fill(x, (size_t)NB * sz, -2, 2);
        if (q) HT_CHECK(hant_net_calibrate(net, x, NB, 100) == HANT_OK, "calibrate: %s", hant_last_error());
        char p[512];
        path_of(p, "mixed.onnx");
        HT_CHECK(hant_onnx_save(net, p, NULL) == HANT_OK, "mixed %d: save: %s", q, hant_last_error());
        HT_CHECK(hant_onnx_load(g_ctx, p, NULL, &back) == HANT_OK, "mixed %d: import: %s", q, hant_last_error());
        if (back) {
            HT_CHECK(hant_net_params(back) == hant_net_params(net) && hant_net_output_size(back) == osz && back->nq8 == net->nq8,
                     "mixed %d: %lld parameters, %d int8 convs (%lld, %d)", q, (long long)hant_net_params(back), back->nq8, (long long)hant_net_params(net), net->nq8);
            HT_CHECK(hant_net_forward(net, x, NB, y0) == HANT_OK && hant_net_forward(back, x, NB, y1) == HANT_OK, "mixed %d: forward", q);
            double mx = 0, d = 0;
            for (size_t i = 0; i < (size_t)NB * osz; i++) { mx = fmax(mx, fabs(y0[i])); d = fmax(d, fabs((double)y0[i] - y1[i])); }
            HT_CHECK(d <= 1e-6 * mx, "mixed %d: max |export -> import - original| = %g of %g", q, d, mx);
            if (getenv("HT_VERBOSE")) {
                fprintf(stderr, "  mixed %s: %.2e relative; blocks:", q ? "int8" : "fp32", d / mx);
                for (int i = 0; i < hant_net_arch(back)->num_blocks; i++) fprintf(stderr, " %s", hant_block_kind_name(hant_net_arch(back)->blocks[i].kind));
                fprintf(stderr, "\n");
            }
        }
        free(x); free(y0); free(y1);
        hant_net_destroy(back);
        hant_net_destroy(net);
        remove(p);
    }
}

static int write_npy(const char *dir, const char *name, const char *ext, const float *x, int nd, const int64_t *shape) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s.%s.npy", dir, name, ext);
    return hant_npy_save(p, x, nd, shape) == HANT_OK;
}

/* --emit DIR: the nets, their ONNX files, inputs and hant outputs. */
static int emit(const char *dir) {
    char p[512];
    snprintf(p, sizeof p, "%s/list.txt", dir);
    FILE *list = fopen(p, "w");
    if (!list) { fprintf(stderr, "cannot write %s\n", p); return 1; }
    for (int which = 0; which < NNETS; which++) {
        hant_net *net = make_net(which, 11 + (uint64_t)which);
        if (!net) return 1;
        const hant_arch *a = hant_net_arch(net);
        const char *nm = net_names[which];
        int sz = a->in_h * a->in_w * a->in_c, HW = a->in_h * a->in_w, osz = hant_net_output_size(net);
        float *x = malloc(sizeof(float) * NB * (size_t)sz), *xh = malloc(sizeof(float) * NB * (size_t)sz);
        float *y = malloc(sizeof(float) * NB * (size_t)osz), *yf = malloc(sizeof(float) * NB * (size_t)osz);
        ht_seed(100 + (uint64_t)which);
        ht_fill(x, (size_t)NB * sz, -2, 2);
        for (int i = 0; i < NB; i++)
            for (int c = 0; c < a->in_c; c++)
                for (int q = 0; q < HW; q++) xh[((size_t)i * HW + q) * a->in_c + c] = x[((size_t)i * a->in_c + c) * HW + q];
        int64_t xs[4] = { NB, a->in_c, a->in_h, a->in_w }, ys[2] = { NB, osz };
        int ok = hant_net_forward(net, xh, NB, y) == HANT_OK && write_npy(dir, nm, "x", x, 4, xs) && write_npy(dir, nm, "y", y, 2, ys);
        snprintf(p, sizeof p, "%s/%s.hant", dir, nm);
        ok = ok && hant_net_save(net, p) == HANT_OK;
        snprintf(p, sizeof p, "%s/%s.onnx", dir, nm);
        ok = ok && hant_onnx_save(net, p, NULL) == HANT_OK;
        if (ok && net->nq8) { /* the fp32 twin: the same parameters without quantisation */
            hant_net *fn = fp32_twin(net);
            ok = fn && hant_net_forward(fn, xh, NB, yf) == HANT_OK && write_npy(dir, nm, "f", yf, 2, ys);
            hant_net_destroy(fn);
        }
        if (!ok) { fprintf(stderr, "%s: %s\n", nm, hant_last_error()); return 1; }
        fprintf(list, "%s %s\n", nm, net->nq8 ? "int8" : "fp32");
        free(x); free(xh); free(y); free(yf);
        hant_net_destroy(net);
    }
    fclose(list);
    return 0;
}

int main(int argc, char **argv) {
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 2;
    if (hant_context_create(&cfg, &g_ctx)) { fprintf(stderr, "context: %s\n", hant_last_error()); return 1; }
    if (argc == 3 && !strcmp(argv[1], "--emit")) { int rc = emit(argv[2]); hant_context_destroy(g_ctx); return rc; }
    HT_INIT(argc, argv);
    snprintf(g_dir, sizeof g_dir, "/tmp/hant_onnx_export_%ld", (long)getpid());
    mkdir(g_dir, 0755);
    HT_RUN(test_structure);
    HT_RUN(test_opsets);
    HT_RUN(test_failures);
    HT_RUN(test_round_trip);
    HT_RUN(test_round_trip_mixed);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd)) {}
    hant_context_destroy(g_ctx);
    return HT_SUMMARY();
}
