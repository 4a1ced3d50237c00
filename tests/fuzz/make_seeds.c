/* Writes the binary seed files of tests/fuzz/corpus (make fuzz-seeds): tiny
   .hant networks covering every block kind, int8 and tiled blocks (and the
   fp32 ones as .onnx), .npy
   arrays and IDX files. The text seeds are written by mk/fuzz.mk. */
#define HANT_IMPLEMENTATION
#include "hant.h"

static void net(hant_context *ctx, const char *path, int variant) {
    hant_arch a;
    memset(&a, 0, sizeof a);
    a.in_h = a.in_w = 6; a.in_c = 1; a.in_std[0] = 1; a.bn_eps = 1e-3f;
    if (variant != 2) { a.stem_cout = 4; a.stem_kernel = 3; a.stem_stride = 1; a.stem_act = HANT_ACT_SILU; }
    int c = variant == 2 ? 1 : 4;
    hant_block_spec *b = a.blocks;
    b[0] = (hant_block_spec){ .kind = HANT_BLOCK_MBCONV, .cin = c, .cout = 4, .expansion = 2, .kernel = 3, .stride = 1, .se_ratio = 0.5f, .act = HANT_ACT_SILU, .groups = 1 };
    b[1] = (hant_block_spec){ .kind = HANT_BLOCK_FUSED_MBCONV, .cin = 4, .cout = 4, .expansion = 2, .kernel = 3, .stride = 2, .act = HANT_ACT_RELU, .groups = 1 };
    b[2] = (hant_block_spec){ .kind = HANT_BLOCK_CONV, .cin = 4, .cout = 4, .expansion = 1, .kernel = 3, .stride = 1, .act = HANT_ACT_HSWISH, .groups = 4 };
    b[3] = (hant_block_spec){ .kind = HANT_BLOCK_IDENTITY, .cin = 4, .cout = 4, .expansion = 1, .kernel = 1, .stride = 1, .groups = 1 };
    a.num_blocks = 4;
    if (variant == 1) {
        b[0].tiled = 1;
        b[1].quant = HANT_QUANT_INT8; b[2].quant = HANT_QUANT_INT8;
    }
    if (variant != 2) { a.num_classes = 3; a.head_cout = 8; a.head_act = HANT_ACT_RELU6; a.head_quant = variant == 1; }
    hant_net *n;
    if (hant_net_create(ctx, &a, 7, &n) || hant_net_save(n, path)) { fprintf(stderr, "%s: %s\n", path, hant_last_error()); exit(1); }
    /* the fp32 variants as ONNX too (int8 parts would need calibration) */
    char onnx[600];
    snprintf(onnx, sizeof onnx, "%.*s/../onnx/tiny%d.onnx", (int)(strrchr(path, '/') - path), path, variant);
    if (variant != 1 && hant_onnx_save(n, onnx, NULL)) { fprintf(stderr, "%s: %s\n", onnx, hant_last_error()); exit(1); }
    hant_net_destroy(n);
}

static void idx(FILE *f, int type, int nd, const int *dims, const unsigned char *data, size_t n) {
    unsigned char h[4] = { 0, 0, (unsigned char)type, (unsigned char)nd };
    fwrite(h, 1, 4, f);
    for (int i = 0; i < nd; i++) { unsigned char d[4] = { (unsigned char)(dims[i] >> 24), (unsigned char)(dims[i] >> 16), (unsigned char)(dims[i] >> 8), (unsigned char)dims[i] }; fwrite(d, 1, 4, f); }
    fwrite(data, 1, n, f);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
    hant_context *ctx;
    hant_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.threads = 1;
    if (hant_context_create(&cfg, &ctx)) return 1;
    char p[512];
    for (int v = 0; v < 3; v++) { snprintf(p, sizeof p, "%s/hant/tiny%d.hant", dir, v); net(ctx, p, v); }
    float x[12];
    for (int i = 0; i < 12; i++) x[i] = (float)i - 3.5f;
    int64_t s1[1] = { 12 }, s2[2] = { 3, 4 }, s4[4] = { 1, 1, 3, 4 };
    snprintf(p, sizeof p, "%s/npy/v1.npy", dir); hant_npy_save(p, x, 1, s1);
    snprintf(p, sizeof p, "%s/npy/m2.npy", dir); hant_npy_save(p, x, 2, s2);
    snprintf(p, sizeof p, "%s/npy/nchw.npy", dir); hant_npy_save(p, x, 4, s4);
    /* idx: [labels length, 2 bytes little-endian][labels IDX][images IDX] */
    unsigned char img[12] = { 0, 50, 100, 150, 200, 250, 1, 2, 3, 4, 5, 6 }, lab[3] = { 0, 9, 4 };
    int di[3] = { 3, 2, 2 }, dl[1] = { 3 };
    snprintf(p, sizeof p, "%s/idx/pair", dir);
    FILE *f = fopen(p, "wb");
    unsigned char len[2] = { 4 + 4 + 3, 0 };
    fwrite(len, 1, 2, f); idx(f, 8, 1, dl, lab, 3); idx(f, 8, 3, di, img, 12);
    fclose(f);
    snprintf(p, sizeof p, "%s/idx/images", dir);
    f = fopen(p, "wb"); idx(f, 8, 3, di, img, 12); fclose(f);
    hant_context_destroy(ctx);
    return 0;
}
