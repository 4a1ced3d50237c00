/* .hant model files: hant_net_load, then one inference when the network is small. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    hant_net *net = NULL;
    if (hant_net_load(fz_ctx(), fz_write("m.hant", data, size, path, sizeof path), &net) != HANT_OK) return 0;
    const hant_arch *a = hant_net_arch(net);
    size_t in = (size_t)a->in_h * a->in_w * a->in_c, out = (size_t)hant_net_output_size(net);
    if (hant_net_macs(net) < 4000000 && in < (1u << 16)) {
        float *x = (float *)calloc(in, sizeof *x), *y = (float *)calloc(out ? out : 1, sizeof *y);
        for (size_t i = 0; x && i < in; i++) x[i] = (float)(i % 7) * 0.25f - 0.5f;
        if (x && y) hant_net_forward(net, x, 1, y);
        free(x); free(y);
    }
    hant_net_destroy(net);
    return 0;
}
