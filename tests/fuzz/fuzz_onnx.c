/* ONNX models (hant import): hant_onnx_load, with the node-name table. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[512];
    static char origin[HANT_MAX_BLOCKS + 2][128];
    hant_onnx_import_options o;
    memset(&o, 0, sizeof o);
    o.origin = origin;
    hant_net *net = NULL;
    if (hant_onnx_load(fz_ctx(), fz_write("m.onnx", data, size, path, sizeof path), &o, &net) == HANT_OK) hant_net_destroy(net);
    return 0;
}
