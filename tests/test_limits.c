/* Networks too large to run (issue 15, item 4): activation sizes that wrap a
   32-bit int, files within docs/FORMAT.md's ranges that declare them, and the
   hant_config.max_memory limit. Each is refused with HANT_ERR_OUT_OF_MEMORY
   and a message, before anything is allocated by size; nothing crashes. */
#define HANT_IMPLEMENTATION
#include "hant.h"
#include "hant_test.h"
#include <stdint.h>
#include <unistd.h>

static hant_context *ctx;

/* input 256x256x1, a 1x1 stem to 65536 channels, a 1x1 conv: 2^32 floats per
   activation (wrapped to 0 in an int, then a heap overflow in the conv) */
static void wide_arch(hant_arch *a) {
    memset(a, 0, sizeof *a);
    a->in_h = a->in_w = 256; a->in_c = 1; a->in_std[0] = 1;
    a->stem_cout = 65536; a->stem_kernel = 1; a->stem_stride = 1; a->stem_act = HANT_ACT_RELU;
    a->num_blocks = 1;
    hant_block_spec *b = &a->blocks[0];
    b->kind = HANT_BLOCK_CONV; b->cin = 65536; b->cout = 1; b->kernel = 1; b->stride = 1; b->groups = 1; b->act = HANT_ACT_NONE;
}

static void test_wide_activation(void) {
    hant_arch a;
    wide_arch(&a);
    HT_CHECK(hant_arch_validate(&a) == HANT_OK, "the arch is within the format's ranges: %s", hant_last_error());
    hant_net *net = NULL;
    hant_status st = hant_net_create(ctx, &a, 1, &net);
    HT_CHECK(st == HANT_ERR_OUT_OF_MEMORY && net == NULL, "256x256x65536 activation: status %d (%s)", st, st ? hant_last_error() : "created");
    hant_net_destroy(net);
    /* with no memory limit, the 32-bit bound still refuses it */
    hant_config c = { 1, 0, { 0 }, SIZE_MAX };
    hant_context *big;
    HT_CHECK(hant_context_create(&c, &big) == HANT_OK, "context");
    net = NULL;
    st = hant_net_create(big, &a, 1, &net);
    HT_CHECK(st == HANT_ERR_OUT_OF_MEMORY && strstr(hant_last_error(), "4294967296 floats"), "no limit: status %d (%s)", st, st ? hant_last_error() : "created");
    hant_net_destroy(net);
    hant_context_destroy(big);
}

/* A valid b0-fm file re-declared at 8192x8192 (in range), checksum fixed up:
   its stem output alone is 2^31 floats. */
static void test_file_8192(void) {
    hant_arch a;
    HT_CHECK(hant_arch_builtin("b0-fm", &a) == HANT_OK, "b0-fm");
    hant_net *net;
    if (hant_net_create(ctx, &a, 1, &net)) { HT_CHECK(0, "create: %s", hant_last_error()); return; }
    char path[] = "/tmp/hant_limits_XXXXXX";
    int fd = mkstemp(path);
    HT_CHECK(fd >= 0, "mkstemp");
    if (fd < 0) { hant_net_destroy(net); return; }
    close(fd);
    HT_CHECK(hant_net_save(net, path) == HANT_OK, "save: %s", hant_last_error());
    hant_net_destroy(net);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = (unsigned char *)malloc((size_t)n);
    HT_CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n, "read back");
    fclose(f);
    hant__put_u32(buf + 16, 8192); hant__put_u32(buf + 20, 8192);
    hant__put_u32(buf + n - 4, hant__crc32(0, buf, (size_t)n - 4));
    f = fopen(path, "wb");
    fwrite(buf, 1, (size_t)n, f);
    fclose(f);
    free(buf);
    net = NULL;
    hant_status st = hant_net_load(ctx, path, &net);
    HT_CHECK(st == HANT_ERR_OUT_OF_MEMORY && net == NULL, "b0-fm at 8192x8192: status %d (%s)", st, st ? hant_last_error() : "loaded");
    hant_net_destroy(net);
    remove(path);
}

/* max_memory: b0-fm (28x28) needs about 17 MB; refused under 1 MB with a
   message naming the setting, accepted under the default and 1 GB. */
static void test_max_memory(void) {
    hant_arch a;
    hant_arch_builtin("b0-fm", &a);
    size_t limits[3] = { 1u << 20, 0, 1u << 30 };
    for (int i = 0; i < 3; i++) {
        hant_config c = { 1, 0, { 0 }, limits[i] };
        hant_context *cx;
        if (hant_context_create(&c, &cx)) { HT_CHECK(0, "context"); continue; }
        hant_net *net = NULL;
        hant_status st = hant_net_create(cx, &a, 1, &net);
        if (i == 0) HT_CHECK(st == HANT_ERR_OUT_OF_MEMORY && strstr(hant_last_error(), "max_memory"), "1 MB limit: %d (%s)", st, st ? hant_last_error() : "created");
        else HT_CHECK(st == HANT_OK, "limit %zu: %s", limits[i], hant_last_error());
        hant_net_destroy(net);
        hant_context_destroy(cx);
    }
}

int main(int argc, char **argv) {
    HT_INIT(argc, argv);
    hant_config c = { 1, 0, { 0 }, 0 };
    if (hant_context_create(&c, &ctx)) { printf("context: %s\n0 passed, 1 failed\n", hant_last_error()); return 1; }
    HT_RUN(test_wide_activation);
    HT_RUN(test_file_8192);
    HT_RUN(test_max_memory);
    hant_context_destroy(ctx);
    return HT_SUMMARY();
}
